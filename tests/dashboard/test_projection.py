"""One schedule projection: the API's estimate, the dashboard's schedule and the chart's
planned bars agree for drafts, running and paused campaigns."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.services import campaign_pause, campaign_start
from tests.factories import api_client_for, make_campaign


def the_three_views(web, api, campaign) -> dict:
    estimate = api.get(f"/api/v1/campaigns/{campaign.pk}").json()["data"]
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk]))
    planned_bars = [bar for bar in page.context["chart"]["bars"] if bar.planned]
    return {
        "api": estimate["estimated_completion_date"],
        "schedule": [(row["day"], row["date"].isoformat()) for row in page.context["schedule"]],
        "more": page.context["schedule_more"],
        "bars": len(planned_bars),
        "page_estimate": page.context["estimate"],
    }


@pytest.fixture
def api_alice(alice):
    return api_client_for(alice)


@pytest.mark.parametrize("state", ["draft", "running"])
def test_a_planned_campaign_has_one_projection_everywhere(web, api_alice, alice, state):
    campaign = make_campaign(alice, size=100)  # 34 a day (a third of 100): three days
    if state == "running":
        campaign = campaign_start(campaign=campaign)
    seen = the_three_views(web, api_alice, campaign)
    today = date.today()
    assert [day for day, _ in seen["schedule"]] == [1, 2, 3]
    assert seen["schedule"][-1][1] == (today + timedelta(days=2)).isoformat()
    assert seen["api"] == seen["schedule"][-1][1] == seen["page_estimate"].isoformat()
    assert seen["bars"] == len(seen["schedule"]) and seen["more"] == 0


def test_a_paused_campaign_has_no_projection_anywhere(web, api_alice, alice):
    campaign = campaign_pause(campaign=campaign_start(campaign=make_campaign(alice, size=100)))
    seen = the_three_views(web, api_alice, campaign)
    assert seen["api"] is None and seen["page_estimate"] is None
    assert seen["schedule"] == [] and seen["bars"] == 0 and seen["more"] == 0
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "nothing is planned until you resume it" in page


def test_a_long_campaign_counts_the_days_past_the_table_without_listing_them(web, api_alice, alice):
    campaign = make_campaign(alice, size=3)
    Campaign.objects.filter(pk=campaign.pk).update(total_contacts=30_000, pending_count=30_000)
    seen = the_three_views(web, api_alice, Campaign.objects.get(pk=campaign.pk))
    assert len(seen["schedule"]) == 60
    first, last = date.fromisoformat(seen["schedule"][0][1]), date.fromisoformat(seen["api"])
    assert seen["more"] == (last - first).days + 1 - 60
