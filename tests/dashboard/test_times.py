"""Times on the dashboard are in the account's timezone (a campaign's on its page), labelled."""

import datetime as dt

import pytest
from django.urls import reverse

from campaigns.models import CampaignContact
from contacts.services import contact_set_opted_out
from skylight.models import ApiKey
from skylight.services import api_key_create
from tests.factories import make_campaign, make_contact

SIX_45_UTC = dt.datetime(2026, 12, 1, 6, 45, tzinfo=dt.UTC)


@pytest.fixture
def riyadh(alice):
    alice.timezone = "Asia/Riyadh"
    alice.save()
    return alice


@pytest.mark.django_db
def test_a_campaign_page_shows_sent_times_in_the_campaigns_zone(web, riyadh):
    campaign = make_campaign(riyadh, size=2)
    campaign.timezone = "Asia/Riyadh"
    campaign.save()
    row = CampaignContact.objects.filter(campaign=campaign).first()
    CampaignContact.objects.filter(pk=row.pk).update(status="sent", sent_at=SIX_45_UTC)
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "Dec 1, 09:45" in page and "Dec 1, 06:45" not in page
    assert 'Sent at <span class="muted small">(Asia/Riyadh)</span>' in page


@pytest.mark.django_db
def test_api_key_times_are_in_the_accounts_zone_and_labelled(web, riyadh):
    key, _ = api_key_create(account=riyadh, name="Zapier")
    ApiKey.objects.filter(pk=key.pk).update(created_at=SIX_45_UTC)
    page = web.get(reverse("dashboard:account")).content.decode()
    assert "Dec 1, 2026 09:45" in page and "06:45" not in page
    assert "(Asia/Riyadh)" in page


@pytest.mark.django_db
def test_opt_out_time_is_in_the_accounts_zone(web, riyadh):
    contact = make_contact(riyadh, name="Noura")
    contact_set_opted_out(contact=contact, opted_out=True)
    type(contact).objects.filter(pk=contact.pk).update(opted_out_at=SIX_45_UTC)
    page = web.get(reverse("dashboard:contact_edit", args=[contact.pk])).content.decode()
    assert "Dec 1, 2026 09:45 (Asia/Riyadh)" in page
