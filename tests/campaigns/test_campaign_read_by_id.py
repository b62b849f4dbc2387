"""The API's read of one campaign goes through precompiled queries (campaigns.selectors.
campaign_get); it answers exactly what the listing's ORM queryset answers, in three
queries (key, campaign, messages), and only within the account; its contacts listing reads
the campaign's own row the same way."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import selectors
from campaigns.models import Campaign, CampaignMessage
from campaigns.serializers import CampaignSerializer
from tests.factories import make_campaign


def test_it_reads_what_the_orm_queryset_reads(alice):
    campaign = make_campaign(alice)
    CampaignMessage.objects.create(campaign=campaign, position=5, content="Third", delay_hours=5)
    CampaignMessage.objects.create(campaign=campaign, position=3, content="Second")
    Campaign.objects.filter(pk=campaign.pk).update(status="running", sent_count=2)
    other = make_campaign(alice, name="Same number", channel=campaign.channel)
    Campaign.objects.filter(pk=other.pk).update(status="running")

    prepared = selectors.campaign_get(account=alice, pk=campaign.pk)
    orm = selectors.campaign_queryset(account=alice).get(pk=campaign.pk)

    assert prepared.number_shared_with == orm.number_shared_with == 1
    assert [m.content for m in prepared.messages.all()] == ["Hi {{name}}", "Second", "Third"]
    context = {"now": orm.created_at}
    assert (
        CampaignSerializer(prepared, context=context).data
        == CampaignSerializer(orm, context=context).data
    )


def test_its_messages_and_channel_cost_no_further_query(alice):
    campaign = make_campaign(alice)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.campaign_get(account=alice, pk=campaign.pk)
        assert found.channel.name and [m.campaign_id for m in found.messages.all()]
        assert found.messages.all()[0].campaign is found
    assert len(queries) == 2


def test_another_accounts_campaign_is_not_found(alice, bob, bob_api):
    campaign = make_campaign(alice)
    assert selectors.campaign_get(account=bob, pk=campaign.pk) is None
    assert bob_api.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404


def test_ids_that_are_no_row_are_404_in_the_envelope(api):
    for pk in ("0", "123456", "abc", "9" * 19, "9" * 30, "١٢"):
        for path in (f"/api/v1/campaigns/{pk}", f"/api/v1/campaigns/{pk}/contacts"):
            response = api.get(path)
            assert response.status_code == 404, path
            assert response.json()["success"] is False


def test_the_contacts_listing_reads_its_campaign_row_within_the_account(alice, bob_api, api):
    campaign = make_campaign(alice, size=2)
    assert selectors.campaign_row(account=alice, pk=campaign.pk).name == campaign.name
    path = f"/api/v1/campaigns/{campaign.pk}/contacts"
    assert api.get(path).json()["meta"]["total"] == 2
    assert bob_api.get(path).status_code == 404
