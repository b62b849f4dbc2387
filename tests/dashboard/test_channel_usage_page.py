"""The channel page's usage panel: today's use against the cap, the warm-up day, health,
the sharing campaigns and a 30-day chart (server-side SVG, loaded by htmx)."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignContact, ChannelDay, Delivery
from tests.dashboard.helpers import htmx
from tests.factories import make_channel, make_contact


@pytest.fixture
def busy_channel(alice):
    channel = make_channel(alice, health="warning", health_reason="7 of 25 sends failed")
    campaign = Campaign.objects.create(
        account=alice,
        channel=channel,
        name="Ramadan",
        status="running",
        campaign_day=3,
        total_contacts=300,
        pending_count=298,
    )
    now = timezone.now()
    for _ in range(2):
        row = CampaignContact.objects.create(
            campaign=campaign, contact=make_contact(alice), status="sent", sent_at=now
        )
        Delivery.objects.create(
            campaign_contact=row, position=1, type="text", body="Hi", status="sent", sent_at=now
        )
    today = now.astimezone(ZoneInfo(alice.timezone)).date()
    ChannelDay.objects.create(channel=channel, date=today, attempted=2)
    return channel


@pytest.mark.django_db
def test_the_channel_page_loads_the_usage_panel(web, busy_channel):
    page = web.get(reverse("dashboard:channel_detail", args=[busy_channel.pk])).content.decode()
    url = reverse("dashboard:channel_usage", args=[busy_channel.pk])
    assert f'hx-get="{url}"' in page and f'href="{url}"' in page


@pytest.mark.django_db
def test_the_usage_panel_shows_today_the_warmup_day_health_and_a_chart(web, busy_channel):
    url = reverse("dashboard:channel_usage", args=[busy_channel.pk])

    page = htmx(web, "get", url).content.decode()

    assert "<html" not in page and 'id="usage-panel"' in page
    assert "2 of 65 people" in page
    assert '<progress value="2" max="65"' in page
    assert "Day 3" in page
    assert "Warning" in page and "7 of 25 sends failed" in page
    assert "Ramadan</a> (day 3, 0 of 65 today)" in page  # its own slots: the engine's count
    assert page.count('class="bar-sent"') == 30
    assert "data-usage-cap" in page
    assert "data-bar-value>2<" in page


@pytest.mark.django_db
def test_the_usage_page_works_without_javascript_and_hides_other_accounts(web, bob, busy_channel):
    page = web.get(reverse("dashboard:channel_usage", args=[busy_channel.pk]))
    assert page.status_code == 200 and "<html" in page.content.decode()
    other = make_channel(bob)
    assert web.get(reverse("dashboard:channel_usage", args=[other.pk])).status_code == 404
