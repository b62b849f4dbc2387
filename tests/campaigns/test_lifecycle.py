"""Lifecycle: draft -> running <-> paused -> cancelled, and every refusal (409, no change)."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign
from skylight.domain import Conflict

ACTIONS = ["start", "pause", "resume", "cancel"]
ALLOWED = {
    "start": {"draft"},
    "pause": {"running"},
    "resume": {"paused"},
    "cancel": {"draft", "running", "paused"},
}
MESSAGES = {
    "start": "only draft campaigns can be started.",
    "pause": "only running campaigns can be paused.",
    "resume": "only paused campaigns can be resumed.",
    "cancel": "only draft, running or paused campaigns can be cancelled.",
}
STATES = ["draft", "running", "paused", "completed", "cancelled"]


def post(api, campaign_id, action):
    return api.post(f"/api/v1/campaigns/{campaign_id}/{action}")


def snapshot(campaign_id) -> dict:
    return model_to_dict(Campaign.objects.get(pk=campaign_id))


def test_start_runs_the_campaign_from_day_one(api, create_campaign):
    campaign = create_campaign()
    before = timezone.now()

    response = post(api, campaign["id"], "start")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "running"
    assert data["campaign_day"] == 1
    assert data["started_at"] is not None
    stored = Campaign.objects.get(pk=campaign["id"])
    assert stored.started_at >= before
    assert stored.last_active_date == timezone.localdate()


def test_pause_and_resume_keep_the_day_and_the_counters(api, create_campaign):
    campaign = create_campaign()
    post(api, campaign["id"], "start")
    Campaign.objects.filter(pk=campaign["id"]).update(campaign_day=3, sent_count=2, pending_count=3)

    paused = post(api, campaign["id"], "pause")
    assert paused.status_code == 200
    assert paused.json()["data"]["status"] == "paused"
    assert Campaign.objects.get(pk=campaign["id"]).paused_at is not None

    resumed = post(api, campaign["id"], "resume")
    assert resumed.status_code == 200
    data = resumed.json()["data"]
    assert (data["status"], data["campaign_day"], data["success_count"]) == ("running", 3, 2)
    stored = Campaign.objects.get(pk=campaign["id"])
    assert stored.paused_at is None
    assert stored.started_at.isoformat().startswith(data["started_at"][:19])


@pytest.mark.parametrize("state", ["draft", "running", "paused"])
def test_cancel_is_final_from_draft_running_or_paused(api, create_campaign, state):
    campaign = create_campaign()
    Campaign.objects.filter(pk=campaign["id"]).update(status=state)

    response = post(api, campaign["id"], "cancel")

    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    assert Campaign.objects.get(pk=campaign["id"]).cancelled_at is not None
    assert post(api, campaign["id"], "start").status_code == 409
    assert post(api, campaign["id"], "resume").status_code == 409


REFUSED = [(a, s) for a in ACTIONS for s in STATES if s not in ALLOWED[a]]


@pytest.mark.parametrize("action, state", REFUSED, ids=[f"{a}-{s}" for a, s in REFUSED])
def test_a_refused_transition_is_409_naming_the_status_and_changes_nothing(
    api, create_campaign, action, state
):
    campaign = create_campaign()
    Campaign.objects.filter(pk=campaign["id"]).update(status=state)
    before = snapshot(campaign["id"])

    response = post(api, campaign["id"], action)

    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "message": f"Campaign is {state}; {MESSAGES[action]}",
    }
    assert snapshot(campaign["id"]) == before


@pytest.mark.parametrize("state", ["running", "paused", "completed", "cancelled"])
def test_only_drafts_can_be_updated(api, create_campaign, state):
    campaign = create_campaign()
    Campaign.objects.filter(pk=campaign["id"]).update(status=state)
    before = snapshot(campaign["id"])

    response = api.patch(f"/api/v1/campaigns/{campaign['id']}", {"name": "New"}, format="json")

    assert response.status_code == 409
    assert response.json()["message"] == (
        f"Campaign is {state}; only draft campaigns can be updated."
    )
    assert snapshot(campaign["id"]) == before


@pytest.mark.parametrize("state", ["running", "paused", "completed"])
def test_only_drafts_and_cancelled_campaigns_can_be_deleted(api, create_campaign, state):
    campaign = create_campaign()
    Campaign.objects.filter(pk=campaign["id"]).update(status=state)

    response = api.delete(f"/api/v1/campaigns/{campaign['id']}")

    assert response.status_code == 409
    assert response.json()["message"] == (
        f"Campaign is {state}; only draft or cancelled campaigns can be deleted."
    )
    assert Campaign.objects.filter(pk=campaign["id"]).exists()


def quota_used(api) -> int:
    return api.get("/api/v1/account/subscription").json()["data"]["outreach_campaigns"]["used"]


def test_deleting_a_draft_removes_it_and_gives_the_quota_back(api, create_campaign):
    campaign = create_campaign()
    assert quota_used(api) == 1

    response = api.delete(f"/api/v1/campaigns/{campaign['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Campaign.objects.exists()
    assert quota_used(api) == 0
    assert api.get(f"/api/v1/campaigns/{campaign['id']}").status_code == 404


def test_deleting_a_cancelled_campaign_keeps_the_quota_used(api, create_campaign):
    campaign = create_campaign()
    post(api, campaign["id"], "start")
    post(api, campaign["id"], "cancel")

    assert api.delete(f"/api/v1/campaigns/{campaign['id']}").status_code == 204
    assert not Campaign.objects.exists()
    assert quota_used(api) == 1


def test_the_services_refuse_with_conflict(alice, create_campaign):
    campaign = Campaign.objects.get(pk=create_campaign()["id"])
    with pytest.raises(Conflict, match="Campaign is draft; only running campaigns can be paused."):
        services.campaign_pause(campaign=campaign)
    cancelled = services.campaign_cancel(campaign=campaign)
    assert cancelled.status == "cancelled"
    # a stale instance still in "draft" is re-checked against the locked row
    with pytest.raises(Conflict, match="Campaign is cancelled"):
        services.campaign_start(campaign=campaign)


def test_a_draft_from_an_earlier_period_gives_no_quota_back(api, create_campaign):
    old, new = create_campaign(), create_campaign()
    Campaign.objects.filter(pk=old["id"]).update(created_at=timezone.now() - timedelta(days=40))

    assert api.delete(f"/api/v1/campaigns/{old['id']}").status_code == 204
    assert quota_used(api) == 2
    assert api.delete(f"/api/v1/campaigns/{new['id']}").status_code == 204
    assert quota_used(api) == 1
