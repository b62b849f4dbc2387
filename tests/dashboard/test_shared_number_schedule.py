"""The schedule and "Done by" of a campaign whose number also sends other campaigns."""

from django.urls import reverse

from campaigns.services import campaign_start
from tests.factories import make_campaign


def estimate(api, campaign) -> str:
    return api.get(f"/api/v1/campaigns/{campaign.pk}").json()["data"]["estimated_completion_date"]


def test_a_shared_number_stretches_the_estimate(api, web, alice):
    first = make_campaign(alice, size=300, name="First")  # 35 a day alone
    campaign_start(campaign=first)
    alone = estimate(api, first)

    second = make_campaign(alice, size=300, name="Second", channel=first.channel)
    campaign_start(campaign=second)

    assert estimate(api, first) > alone  # now half the number's day each
    page = web.get(reverse("dashboard:campaign_detail", args=[first.pk])).content.decode()
    assert "data-shared-number" in page and "1 other running campaign" in page


def test_a_campaign_alone_on_its_number_says_nothing_of_sharing(web, alice):
    campaign = make_campaign(alice, size=30)
    campaign_start(campaign=campaign)
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "data-shared-number" not in page
