"""The campaign admin: counters and progress, filters, and lifecycle actions via services."""

import pytest
from django.contrib.messages import get_messages

from campaigns import services
from campaigns.models import Campaign, CampaignContact
from skylight.models import Subscription
from tests.campaigns.helpers import TEXT

CHANGELIST = "/admin/campaigns/campaign/"


@pytest.fixture
def two(alice, channel, contacts):
    made = [
        services.campaign_create(
            account=alice, name=name, channel=channel, messages=TEXT, contact_ids=[contacts[0].pk]
        )
        for name in ("Running one", "Draft one")
    ]
    services.campaign_start(campaign=made[0])
    Campaign.objects.filter(pk=made[0].pk).update(sent_count=1, pending_count=0)
    return made


def act(admin_client, action, campaigns):
    return admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in campaigns]},
        follow=True,
    )


def test_the_changelist_shows_counters_and_progress(admin_client, two):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Running one" in body and "Draft one" in body
    assert "100%" in body
    assert "Daily limit" in body


def test_the_changelist_filters_by_status_and_channel(admin_client, two, channel):
    response = admin_client.get(f"{CHANGELIST}?status__exact=draft&channel__id__exact={channel.pk}")
    body = response.content.decode()
    assert "Draft one" in body and "Running one" not in body


def test_the_pause_action_pauses_and_reports_refusals(admin_client, two):
    running, draft = two
    response = act(admin_client, "paused_campaigns", [running, draft])

    assert Campaign.objects.get(pk=running.pk).status == "paused"
    assert Campaign.objects.get(pk=draft.pk).status == "draft"
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Draft one: Campaign is draft; only running campaigns can be paused." in notes
    assert "1 campaign(s) paused." in notes


def test_resume_and_cancel_actions_go_through_the_services(admin_client, two):
    running, draft = two
    services.campaign_pause(campaign=running)
    act(admin_client, "resumed_campaigns", [running])
    assert Campaign.objects.get(pk=running.pk).status == "running"
    act(admin_client, "cancelled_campaigns", [running, draft])
    assert set(Campaign.objects.values_list("status", flat=True)) == {"cancelled"}


def test_deleting_a_draft_in_the_admin_refunds_its_quota(admin_client, alice, two):
    _, draft = two
    response = admin_client.post(
        f"/admin/campaigns/campaign/{draft.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Campaign.objects.filter(pk=draft.pk).exists()
    assert Subscription.objects.get(account=alice).outreach_campaigns_used == 1


def test_campaign_contacts_are_listed_with_raw_id_fields(admin_client, two):
    row = CampaignContact.objects.first()
    assert (
        admin_client.get("/admin/campaigns/campaigncontact/?status__exact=pending").status_code
        == 200
    )
    page = admin_client.get(f"/admin/campaigns/campaigncontact/{row.pk}/change/")
    assert page.status_code == 200
    assert "vForeignKeyRawIdAdminField" in page.content.decode()
