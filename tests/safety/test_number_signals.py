"""Provider signals that stop a number at once: a Meta quality or account webhook saying
it is flagged, restricted or banned; a failed status with 131048 or 368; a gateway
session that logged out. Every running campaign on that number is paused by safety."""

from datetime import UTC, datetime

import pytest

from campaigns.models import Campaign
from channels.models import Channel
from tests.engine.helpers import start_campaign
from tests.factories import make_channel
from tests.fakes import evolution as fake_evolution_module
from tests.fakes import waha as fake_waha_module
from tests.fakes.whatsapp import meta_signature, number_update, status_update

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)


def post(client, channel, body: bytes, headers: dict):
    meta = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in headers.items()}
    response = client.post(
        f"/webhooks/{channel.webhook_token}/", body, content_type="application/json", **meta
    )
    assert response.status_code == 200, response.content
    return response


def campaigns_on(alice, channel):
    """Two running campaigns on `channel`, one on another number, one paused by a person."""
    running = [start_campaign(alice, contacts=2, at=START, channel=channel) for _ in range(2)]
    elsewhere = start_campaign(alice, contacts=1, at=START)
    by_user = start_campaign(alice, contacts=1, at=START, channel=channel)
    Campaign.objects.filter(pk=by_user.pk).update(status="paused", paused_by="user")
    return running, elsewhere, by_user


def assert_paused_by_safety(channel, running, elsewhere, by_user, words: str):
    for campaign in running:
        campaign.refresh_from_db()
        assert (campaign.status, campaign.paused_by) == ("paused", "safety")
        assert words in campaign.pause_reason
    channel.refresh_from_db()
    assert channel.health == "paused" and words in channel.health_reason
    assert Campaign.objects.get(pk=elsewhere.pk).status == "running"
    assert Campaign.objects.get(pk=by_user.pk).paused_by == "user"


@pytest.fixture
def meta_channel(alice, fake_whatsapp) -> Channel:
    return make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())


META_ALARMS = {
    "quality flagged": (
        "phone_number_quality_update",
        {"display_phone_number": "15550001234", "event": "FLAGGED", "current_limit": "TIER_1K"},
        "FLAGGED",
    ),
    "account restricted": (
        "account_update",
        {
            "phone_number": "15550001234",
            "event": "ACCOUNT_RESTRICTION",
            "restriction_info": [{"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING"}],
        },
        "ACCOUNT_RESTRICTION",
    ),
    "account violation": (
        "account_update",
        {"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "SCAM"}},
        "ACCOUNT_VIOLATION",
    ),
    "account banned": (
        "account_update",
        {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE"}},
        "DISABLED_UPDATE",
    ),
}


@pytest.mark.parametrize("name", list(META_ALARMS))
def test_a_meta_number_alarm_pauses_the_number_at_once(client, alice, meta_channel, name):
    field, value, words = META_ALARMS[name]
    campaigns = campaigns_on(alice, meta_channel)
    body = number_update(field, value)

    post(client, meta_channel, body, {"X-Hub-Signature-256": meta_signature(body)})

    assert_paused_by_safety(meta_channel, *campaigns, words)


@pytest.mark.parametrize(
    "value",
    [
        {"event": "UNFLAGGED", "current_limit": "TIER_10K"},
        {"event": "UPGRADE", "current_limit": "TIER_10K"},
        {"event": "VERIFIED_ACCOUNT"},
    ],
)
def test_good_news_about_the_number_pauses_nothing(client, alice, meta_channel, value):
    running, *_ = campaigns_on(alice, meta_channel)
    body = number_update("phone_number_quality_update", value)

    post(client, meta_channel, body, {"X-Hub-Signature-256": meta_signature(body)})

    assert {c.status for c in Campaign.objects.filter(pk__in=[c.pk for c in running])} == {
        "running"
    }
    assert Channel.objects.get(pk=meta_channel.pk).health == "ok"


@pytest.mark.parametrize("code", [131048, 368])
def test_a_failed_status_that_stops_the_number_pauses_it(client, alice, meta_channel, code):
    campaigns = campaigns_on(alice, meta_channel)
    body = status_update("wamid.X1", "failed", errors=[{"code": code, "title": "Stopped"}])

    post(client, meta_channel, body, {"X-Hub-Signature-256": meta_signature(body)})

    assert_paused_by_safety(meta_channel, *campaigns, f"code {code}")


@pytest.mark.parametrize("status", ["FAILED", "SCAN_QR_CODE"])
def test_a_waha_session_logged_out_pauses_the_number(client, alice, fake_waha, status):
    config = fake_waha.channel_config(webhook_hmac_key=fake_waha_module.HMAC_KEY)
    channel = make_channel(alice, provider="waha", config=config)
    campaigns = campaigns_on(alice, channel)
    body = fake_waha_module.session_status(status)

    post(client, channel, body, fake_waha_module.signed_headers(body))

    assert_paused_by_safety(channel, *campaigns, f"session {status}")


def test_a_waha_session_working_again_pauses_nothing(client, alice, fake_waha):
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    running, *_ = campaigns_on(alice, channel)

    post(client, channel, fake_waha_module.session_status("WORKING"), {})

    assert Campaign.objects.get(pk=running[0].pk).status == "running"


def test_an_evolution_instance_closed_pauses_the_number(client, alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    campaigns = campaigns_on(alice, channel)

    post(client, channel, fake_evolution_module.connection_update("close"), {})

    assert_paused_by_safety(channel, *campaigns, "instance closed (status 401)")


def test_an_evolution_instance_open_pauses_nothing(client, alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    running, *_ = campaigns_on(alice, channel)

    post(client, channel, fake_evolution_module.connection_update("open"), {})

    assert Campaign.objects.get(pk=running[0].pk).status == "running"
