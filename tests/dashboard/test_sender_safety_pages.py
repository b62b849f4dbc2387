"""Sender safety on the dashboard: a number's health on the channel pages, the reason of a
safety pause on the campaign page with a confirmed resume, and the account's breaker
thresholds."""

import pytest
from django.urls import reverse

from campaigns.breaker import breaker_restart
from campaigns.models import Campaign, ChannelAttempt
from campaigns.services import campaign_start, campaigns_pause_for_safety
from channels.models import Channel
from channels.safety import channel_safety_pause
from skylight.models import Membership
from tests.dashboard.helpers import htmx
from tests.factories import make_campaign, member_of

REASON = "7 of 25 sends failed permanently in the last hour (limit 20 % over at least 20 sends)."

pytestmark = pytest.mark.django_db


@pytest.fixture
def tripped(alice):
    """A running campaign whose number the breaker paused."""
    campaign = campaign_start(campaign=make_campaign(alice))
    channel_safety_pause(channel_id=campaign.channel_id, reason=REASON)
    campaign.refresh_from_db()
    assert campaign.paused_by == "safety"
    return campaign


def test_the_channel_pages_show_the_health_and_its_reason(web, tripped):
    listing = web.get(reverse("dashboard:channels")).content.decode()
    detail = web.get(reverse("dashboard:channel_detail", args=[tripped.channel_id]))
    page = detail.content.decode()

    assert 'data-health="paused"' in listing and REASON in listing
    assert 'id="health-panel"' in page and 'data-health="paused"' in page
    assert "Paused by safety" in page and REASON in page


def test_a_healthy_channel_says_so(web, alice):
    campaign = make_campaign(alice)
    page = web.get(reverse("dashboard:channel_detail", args=[campaign.channel_id]))
    assert 'data-health="ok"' in page.content.decode()


def test_the_campaign_page_shows_the_reason_and_asks_before_resuming(web, tripped):
    page = web.get(reverse("dashboard:campaign_detail", args=[tripped.pk])).content.decode()

    panel = page.split('id="safety-pause"')[1].split("</section>")[0]
    assert REASON in panel
    assert "hx-confirm=" in panel and "Resume sending anyway?" in panel
    assert 'name="confirm_safety"' in panel and "required" in panel
    assert "<script" not in panel


def test_resuming_a_safety_pause_without_confirming_is_refused(web, tripped):
    url = reverse("dashboard:campaign_action", args=[tripped.pk, "resume"])

    response = web.post(url, follow=True)

    tripped.refresh_from_db()
    assert tripped.status == "paused" and tripped.paused_by == "safety"
    assert "Tick the box" in response.content.decode()


def test_a_confirmed_resume_restarts_the_numbers_window(web, tripped):
    ChannelAttempt.objects.create(channel=tripped.channel, at=tripped.paused_at, kind="failed")
    url = reverse("dashboard:campaign_action", args=[tripped.pk, "resume"])

    web.post(url, {"confirm_safety": "1"})

    tripped.refresh_from_db()
    channel = Channel.objects.get(pk=tripped.channel_id)
    assert (tripped.status, tripped.paused_by, tripped.pause_reason) == ("running", "", "")
    assert (channel.health, channel.health_reason) == ("ok", "")
    assert channel.health_window_start is not None
    assert not ChannelAttempt.objects.filter(channel=channel).exists()


def test_a_pause_by_a_person_resumes_without_the_safety_step(web, alice):
    campaign = campaign_start(campaign=make_campaign(alice))
    web.post(reverse("dashboard:campaign_action", args=[campaign.pk, "pause"]))
    web.post(reverse("dashboard:campaign_action", args=[campaign.pk, "resume"]))
    assert Campaign.objects.get(pk=campaign.pk).status == "running"


def test_the_admin_resume_restarts_the_window_too(admin_client, tripped):
    admin_client.post(
        reverse("admin:campaigns_campaign_changelist"),
        {"action": "resumed_campaigns", "_selected_action": [tripped.pk]},
    )
    tripped.refresh_from_db()
    assert tripped.status == "running"
    assert Channel.objects.get(pk=tripped.channel_id).health == "ok"


def test_an_owner_sets_the_breaker_thresholds(web, alice):
    data = {
        "breaker_failure_percent": "35",
        "breaker_min_attempts": "10",
        "breaker_opt_out_limit": "2",
        "contact_cooldown_days": "14",
    }
    response = htmx(web, "post", reverse("dashboard:account_safety"), data)

    page = response.content.decode()
    assert response.status_code == 200 and 'id="safety"' in page and "<html" not in page
    alice.refresh_from_db()
    assert (
        alice.breaker_failure_percent,
        alice.breaker_min_attempts,
        alice.breaker_opt_out_limit,
        alice.contact_cooldown_days,
    ) == (35, 10, 2, 14)


def test_out_of_range_thresholds_are_refused_with_the_field_named(web, alice):
    data = {
        "breaker_failure_percent": "0",
        "breaker_min_attempts": "51",
        "breaker_opt_out_limit": "3",
        "contact_cooldown_days": "0",
    }
    page = htmx(web, "post", reverse("dashboard:account_safety"), data).content.decode()

    assert "Permanent failures (%)" in page and "Over at least (sends)" in page
    alice.refresh_from_db()
    assert (alice.breaker_failure_percent, alice.breaker_min_attempts) == (20, 20)


def test_a_member_sees_the_thresholds_but_cannot_change_them(client, alice):
    client.force_login(member_of(alice, "mona", Membership.Role.MEMBER))
    page = client.get(reverse("dashboard:account")).content.decode()
    assert 'id="safety-figures"' in page and "20 % over at least 20 sends" in page
    data = {"breaker_failure_percent": "90"}
    assert client.post(reverse("dashboard:account_safety"), data).status_code == 403


def test_the_service_pauses_only_running_campaigns_of_that_channel(alice):
    campaign = campaign_start(campaign=make_campaign(alice))
    other = campaign_start(campaign=make_campaign(alice, name="Other"))
    paused = campaigns_pause_for_safety(reason=REASON, channel_id=campaign.channel_id)
    assert paused == [campaign.pk]
    breaker_restart(channel_id=campaign.channel_id)
    assert Campaign.objects.get(pk=other.pk).status == "running"


def test_the_campaign_list_marks_a_safety_pause_with_its_reason(web, tripped):
    page = web.get(reverse("dashboard:campaigns")).content.decode()
    marker = page.split("data-safety-paused")[1].split("</span>")[0]
    assert REASON in marker and "by sender safety" in marker
