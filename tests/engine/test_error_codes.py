"""Every row of the provider error-code tables (channels/transports/error_codes.py), each
over HTTP to the provider's fake, with what it does to the contact, the number and the
campaign."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.models import Campaign, CampaignContact, ChannelDay
from channels.models import Channel, LastInbound
from channels.transports.error_codes import (
    EVOLUTION,
    GATEWAY,
    META,
    TELEGRAM,
    TWILIO,
    WAHA,
    Action,
)
from contacts.models import Contact, Suppression
from tests.engine.helpers import cycle, start_campaign
from tests.factories import make_channel

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
NOW = START + timedelta(minutes=5)
HI = [{"type": "text", "content": "Hi {{first_name|there}}"}]


TABLES = {
    "whatsapp_cloud": META,
    "telegram_bot": TELEGRAM,
    "twilio": TWILIO,
    "waha": WAHA,
    "evolution_api": EVOLUTION,
    "webhook": GATEWAY,
}
FAKES = {
    "whatsapp_cloud": "fake_whatsapp",
    "telegram_bot": "fake_telegram",
    "twilio": "fake_twilio",
    "waha": "fake_waha",
    "evolution_api": "fake_evolution",
    "webhook": "fake_gateway",
}


@dataclass(frozen=True)
class Row:
    """A table row (provider and key) and the fake's answer that stands for it."""

    provider: str
    key: object
    outcome: str
    options: dict

    @property
    def rule(self):
        return TABLES[self.provider][self.key]


def meta(code: int, status: int = 400) -> Row:
    return Row("whatsapp_cloud", code, "coded", {"code": code, "status": status})


def twilio(code: int, status: int = 400) -> Row:
    return Row("twilio", code, "coded", {"code": code, "status": status})


ROWS = {
    "meta 130429": Row("whatsapp_cloud", 130429, "rate_limited", {"retry_after": 40}),
    **{f"meta {code}": meta(code) for code in (131056, 131049, 131026, 131047, 131050, 131048)},
    "meta 368": meta(368, 403),
    **{f"meta {code}": meta(code) for code in (1, 2, 4, 17, 341, 80007)},
    "meta 131000": meta(131000, 500),
    "telegram 429": Row("telegram_bot", (429, ""), "rate_limited", {"retry_after": 45}),
    "telegram 403 blocked": Row(
        "telegram_bot", (403, "bot was blocked by the user"), "blocked", {}
    ),
    "telegram 403 deactivated": Row(
        "telegram_bot",
        (403, "user is deactivated"),
        "coded",
        {"code": 403, "description": "Forbidden: user is deactivated"},
    ),
    "telegram 403 never started": Row(
        "telegram_bot",
        (403, "bot can't initiate"),
        "coded",
        {"code": 403, "description": "Forbidden: bot can't initiate conversation with a user"},
    ),
    "telegram 400 chat not found": Row("telegram_bot", (400, "chat not found"), "rejected", {}),
    "twilio 20429": Row("twilio", 20429, "rate_limited", {"retry_after": 40}),
    "twilio 21610": Row("twilio", 21610, "unsubscribed", {}),
    **{f"twilio {code}": twilio(code, 429) for code in (14107, 30022)},
    **{f"twilio {code}": twilio(code) for code in (21614, 63003)},
    "waha 429": Row("waha", 429, "rate_limited", {"retry_after": 40}),
    "waha session FAILED": Row("waha", "session:FAILED", "session_stopped", {"status": "FAILED"}),
    "waha session SCAN_QR_CODE": Row(
        "waha", "session:SCAN_QR_CODE", "session_stopped", {"status": "SCAN_QR_CODE"}
    ),
    "evolution 429": Row("evolution_api", 429, "rate_limited", {"retry_after": 40}),
    "evolution exists:false": Row("evolution_api", "not_on_whatsapp", "not_on_whatsapp", {}),
    "gateway 429": Row("webhook", 429, "rate_limited", {"retry_after": 40}),
}


def test_every_table_row_is_tried_here():
    """A row added to a table without a test here fails this test."""
    tried = {(row.provider, row.key) for row in ROWS.values()}
    for provider, table in TABLES.items():
        for key in table:
            assert (provider, key) in tried, (provider, key)


@pytest.fixture
def sender(request, alice, settings):
    """(fake, channel, campaign, contact) for a provider: one contact, daily limit 1."""
    settings.SKYLIGHT_BATCH_SECONDS = 5  # a number told to rest ends the batch at once

    def build(provider: str):
        fake = request.getfixturevalue(FAKES[provider])
        kind = "telegram" if provider == "telegram_bot" else "whatsapp"
        channel = make_channel(alice, type=kind, provider=provider, config=fake.channel_config())
        person = Contact.objects.create(
            account=alice,
            name="Noura Saleh",
            phone="+966501110001",
            type=kind,
            external_id="4242" if kind == "telegram" else "",
        )
        if provider == "whatsapp_cloud":  # the person wrote lately: free-form text may go
            # (a moment ahead of every simulated clock here, so the 24-hour window stays open)
            LastInbound.objects.create(
                channel=channel, contact=person, at=START + timedelta(days=30)
            )
        campaign = start_campaign(alice, contacts=[person], at=START, channel=channel, messages=HI)
        return fake, channel, campaign, person

    return build


def sends(fake) -> int:
    return len(getattr(fake, "sends", fake.requests))


@pytest.mark.parametrize("name", list(ROWS))
def test_each_error_code_row_takes_its_action(name, sender):
    row = ROWS[name]
    fake, channel, campaign, person = sender(row.provider)
    fake.then(row.outcome, **row.options)

    cycle(NOW)

    contact = CampaignContact.objects.get(campaign=campaign)
    campaign.refresh_from_db()
    channel.refresh_from_db()
    person.refresh_from_db()
    ready_at = ChannelDay.objects.get(channel=channel).ready_at
    assert sends(fake) == 1
    check = CHECKS[row.rule.action]
    check(
        row=row,
        contact=contact,
        campaign=campaign,
        channel=channel,
        person=person,
        ready_at=ready_at,
    )
    if row.rule.action != Action.PAUSE_NUMBER:
        assert (campaign.paused_by, channel.health) in (("", "ok"), ("", "warning"))


def _backs_off_the_number(*, row, contact, campaign, ready_at, **_):
    wait = timedelta(seconds=row.options.get("retry_after") or row.rule.retry_after)
    assert contact.status == "pending" and "will retry" in contact.error
    assert contact.next_attempt_at >= NOW + wait
    assert ready_at is not None and ready_at >= NOW + wait - timedelta(seconds=1)
    assert campaign.today_attempted == 0  # not accepted: the slot came back


def _retries_later(*, contact, campaign, ready_at, **_):
    assert contact.status == "pending" and "will retry" in contact.error
    assert contact.next_attempt_at >= NOW + timedelta(seconds=60)
    assert campaign.today_attempted == 0
    assert ready_at is None or ready_at <= NOW


def _spaces_the_recipient(*, contact, ready_at, **_):
    assert contact.status == "pending"
    assert contact.next_attempt_at >= NOW + timedelta(seconds=6)
    assert ready_at is None or ready_at <= NOW  # the number itself goes on


def _defers_the_contact_a_day(*, contact, campaign, ready_at, **_):
    assert contact.status == "pending"
    assert contact.next_attempt_at == NOW + timedelta(hours=24)
    assert campaign.today_attempted == 0  # the allowance is not used
    assert ready_at is None or ready_at <= NOW


def _marks_unreachable(*, contact, campaign, **_):
    assert (contact.status, contact.skip_reason) == ("skipped", "unreachable")
    assert contact.next_attempt_at is None
    assert (campaign.skipped_count, campaign.pending_count, campaign.status) == (1, 0, "completed")


def _needs_a_template(*, contact, **_):
    assert contact.status == "failed"
    assert "needs an approved template" in contact.error


def _opts_out(*, contact, person, channel, **_):
    assert contact.status == "failed"
    assert person.opted_out
    address = person.external_id or person.phone
    entry = Suppression.objects.get(account=person.account, address=address)
    assert (entry.source, entry.channel_type) == ("stop", channel.type)


def _pauses_the_number(*, row, contact, campaign, channel, **_):
    assert (campaign.status, campaign.paused_by) == ("paused", "safety")
    assert campaign.pause_reason.startswith("The provider stopped the number")
    assert row.rule.words in campaign.pause_reason
    assert (channel.health, channel.health_reason) == ("paused", campaign.pause_reason)
    assert contact.status == "pending"  # not accepted: it goes after a person resumes


CHECKS = {
    Action.BACK_OFF_NUMBER: _backs_off_the_number,
    Action.SPACE_RECIPIENT: _spaces_the_recipient,
    Action.DEFER_CONTACT: _defers_the_contact_a_day,
    Action.UNREACHABLE: _marks_unreachable,
    Action.NEEDS_TEMPLATE: _needs_a_template,
    Action.OPT_OUT: _opts_out,
    Action.PAUSE_NUMBER: _pauses_the_number,
    Action.RETRY: _retries_later,
}


def test_an_unreachable_contact_is_never_tried_again(sender):
    fake, _, campaign, _ = sender("whatsapp_cloud")
    fake.then("coded", code=131026)
    for hours in (0, 1, 25, 49):
        cycle(NOW + timedelta(hours=hours))
    assert sends(fake) == 1


def test_a_deferred_contact_goes_a_day_later(sender):
    fake, _, campaign, _ = sender("whatsapp_cloud")
    fake.then("coded", code=131049)
    cycle(NOW)
    cycle(NOW + timedelta(hours=23))
    assert sends(fake) == 1
    cycle(NOW + timedelta(hours=24, minutes=1))
    assert sends(fake) == 2
    assert CampaignContact.objects.get(campaign=campaign).status == "sent"


def test_a_paused_number_pauses_every_running_campaign_on_it(alice, sender):
    fake, channel, campaign, _ = sender("whatsapp_cloud")
    other = start_campaign(alice, contacts=2, at=START, channel=channel, messages=HI)
    elsewhere = start_campaign(alice, contacts=1, at=START, messages=HI)  # another number
    fake.always("coded", code=368, status=403)

    cycle(NOW)

    paused = Campaign.objects.filter(status="paused", paused_by="safety")
    assert set(paused.values_list("pk", flat=True)) == {campaign.pk, other.pk}
    assert Campaign.objects.get(pk=elsewhere.pk).paused_by == ""
    assert Channel.objects.get(pk=channel.pk).health == "paused"


def test_unreachable_after_an_accepted_message_fails_instead_of_skipping(
    alice, fake_evolution, settings
):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    two = [*HI, {"type": "text", "content": "And more"}]
    campaign = start_campaign(alice, contacts=1, at=START, channel=channel, messages=two)
    fake_evolution.then("ok").then("not_on_whatsapp")

    cycle(NOW)

    row = CampaignContact.objects.get(campaign=campaign)
    assert len(fake_evolution.sends) == 2
    assert (row.status, row.skip_reason) == ("failed", "")
    assert "unreachable after an earlier message" in row.error
