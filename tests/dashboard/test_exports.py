"""Dashboard export buttons: the contacts page and a campaign's contacts, as CSV."""

import csv
import io

import pytest
from django.urls import reverse

from campaigns.models import CampaignContact
from tests.factories import make_campaign, make_contact


def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db
def test_the_contacts_page_exports_what_its_filters_select(web, alice, bob):
    make_contact(alice, name="Sara")
    make_contact(alice, name="Omar", opted_out=True)
    make_contact(bob, name="Bob's")
    page = web.get(reverse("dashboard:contacts") + "?opted_out=true").content.decode()
    assert reverse("dashboard:contacts_export") + "?opted_out=true&" in page

    rows = read_csv(web.get(reverse("dashboard:contacts_export") + "?opted_out=true"))
    assert [row["name"] for row in rows] == ["Omar"]
    assert len(read_csv(web.get(reverse("dashboard:contacts_export")))) == 2


@pytest.mark.django_db
def test_a_campaigns_contacts_export_follows_the_status_tab(web, alice):
    campaign = make_campaign(alice, size=3)
    row = CampaignContact.objects.filter(campaign=campaign).first()
    row.status, row.error = "failed", "=1+1"
    row.save()
    url = reverse("dashboard:campaign_export", args=[campaign.pk])
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert url in page

    failed = read_csv(web.get(url + "?status=failed"))
    assert [(r["status"], r["error"]) for r in failed] == [("failed", "'=1+1")]
    assert len(read_csv(web.get(url))) == 3


@pytest.mark.django_db
def test_another_accounts_campaign_cannot_be_exported(web, bob_objects):
    url = reverse("dashboard:campaign_export", args=[bob_objects["campaign"].pk])
    assert web.get(url).status_code == 404
