"""WAHA's typing pause is a step the engine schedules: while one number shows "typing…",
the round sends through other numbers (one provider call in flight at a time, so a
blocking sleep would hold them all)."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.engine import run_cycle
from campaigns.models import CampaignContact
from tests.engine.helpers import inline, start_campaign
from tests.factories import make_channel, make_contacts

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
PAUSE = 1.5
HI = [{"type": "text", "content": "Hi {{first_name|there}}"}]


@pytest.fixture
def _one_call_at_a_time(settings):
    settings.SKYLIGHT_TYPING_PAUSE_SECONDS = str(PAUSE)
    settings.SKYLIGHT_WORKER_CONCURRENCY = 1


@pytest.mark.usefixtures("_one_call_at_a_time")
def test_a_typing_pause_does_not_stall_another_numbers_send(alice, fake_waha):
    typing = make_channel(alice, name="Typing", provider="waha", config=fake_waha.channel_config())
    plain = make_channel(
        alice,
        name="Plain",
        provider="waha",
        config=fake_waha.channel_config(typing_indicator=False),
    )
    typist = make_contacts(alice, 1, prefix="+96651")
    other = make_contacts(alice, 1, prefix="+96652")
    first = start_campaign(alice, contacts=typist, at=START, channel=typing, messages=HI)
    second = start_campaign(alice, contacts=other, at=START, channel=plain, messages=HI)
    assert first.pk < second.pk  # the typing number's lane goes first

    run_cycle(START + timedelta(minutes=5), enqueue=inline, workers=1)  # one round, both

    by_chat = {}
    for request in fake_waha.requests:
        by_chat.setdefault(request.json()["chatId"], []).append(request)
    typed = by_chat[typist[0].phone.lstrip("+") + "@c.us"]
    plain_sends = by_chat[other[0].phone.lstrip("+") + "@c.us"]
    assert [r.path for r in typed] == ["/api/startTyping", "/api/stopTyping", "/api/sendText"]
    assert [r.path for r in plain_sends] == ["/api/sendText"]
    typing_started, typed_sent = typed[0].received_at, typed[2].received_at
    assert typed_sent - typing_started >= PAUSE  # the pause really happened
    assert plain_sends[0].received_at < typing_started + PAUSE  # ...and did not hold the other
    assert set(CampaignContact.objects.values_list("status", flat=True)) == {"sent"}


def test_the_test_button_still_waits_out_the_pause(alice, fake_waha, settings):
    from channels.transports import OutboundMessage, transport_for

    settings.SKYLIGHT_TYPING_PAUSE_SECONDS = "2-6"
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    waha = transport_for(channel)
    pauses = []
    waha.wait = pauses.append

    result = waha.send("+966501234567", OutboundMessage(type="text", content="Hi"))

    assert result.provider_message_id
    assert len(pauses) == 1 and 2 <= pauses[0] <= 6
    assert [r.path for r in fake_waha.requests][-1] == "/api/sendText"
