"""Dashboard: the campaign's Report tab."""

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignContact
from tests.factories import make_campaign


@pytest.fixture
def campaign(alice):
    campaign = make_campaign(alice, size=4)
    rows = list(CampaignContact.objects.filter(campaign=campaign).order_by("id"))
    now = timezone.now()
    for row, (status, delivery) in zip(
        rows,
        [("sent", "read"), ("sent", "delivered"), ("sent", "sent"), ("failed", "")],
        strict=True,
    ):
        row.status, row.delivery_status, row.claimed_at = status, delivery, now
        row.sent_at = now if status == "sent" else None
        row.error = "rejected: HTTP 400: bad number" if status == "failed" else None
        row.save()
    Campaign.objects.filter(pk=campaign.pk).update(
        status="running", sent_count=3, failed_count=1, pending_count=0
    )
    return campaign


@pytest.mark.django_db
def test_the_report_tab_shows_the_funnel_the_chart_and_the_failures(web, campaign):
    page = web.get(reverse("dashboard:campaign_report", args=[campaign.pk])).content.decode()

    assert 'aria-current="page">Report<' in page
    assert "<strong>Enrolled</strong> · 4" in page
    assert "<strong>Sent</strong> · 3" in page and "(75.0%)" in page
    assert "<strong>Delivered</strong> · 2" in page
    assert "<strong>Read</strong> · 1" in page
    assert page.count("<g data-day>") == 1
    assert "3 sent, 2 delivered, 1 read, 1 failed, 0 skipped" in page
    assert "Rejected" in page and ">400<" in page


@pytest.mark.django_db
def test_the_overview_links_to_the_report(web, campaign):
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert reverse("dashboard:campaign_report", args=[campaign.pk]) in page


@pytest.mark.django_db
def test_another_accounts_report_is_404(web, bob_objects):
    url = reverse("dashboard:campaign_report", args=[bob_objects["campaign"].pk])
    assert web.get(url).status_code == 404
