"""Inbound STOP/START keywords in English and Arabic, and their account-wide effect."""

import pytest

from channels.keywords import OPT_IN, OPT_OUT, keyword_action
from channels.webhooks.apply import inbound_message_record
from channels.webhooks.events import InboundEvent
from tests.factories import make_channel, make_contact


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "UNSUBSCRIBE",
        "end",
        "Quit",
        "CANCEL",
        "optout",
        "STOPALL",
        "revoke",
        "opt out",
        "إلغاء",
        "الغاء",
        "إيقاف",
        "ايقاف",
        "توقف",
        "إلغاء الاشتراك",
        "إِلْغَاء",
        "الغـــاء",
        "ستوب",
        "/stop",
        "/stop@SkyBot",
        "\u200fإلغاء\u200f",
    ],
)
def test_opt_out_words(text):
    assert keyword_action(text) == OPT_OUT


@pytest.mark.parametrize("text", ["START", "unstop", "/start", "Start!", "ابدأ"])
def test_opt_in_words(text):
    assert keyword_action(text) == OPT_IN


@pytest.mark.parametrize(
    "text", ["", "hello", "please stop sending me this", "stopping", "cancel my order", "x" * 500]
)
def test_other_messages_are_not_keywords(text):
    assert keyword_action(text) is None


def test_stop_then_start_account_wide(alice, bob):
    channel = make_channel(alice)
    mine = [make_contact(alice, phone="+966501234567", type=kind) for kind in ("whatsapp", "sms")]
    theirs = make_contact(bob, phone="+966501234567")
    stranger = make_contact(alice, phone="+966509999999")

    assert inbound_message_record(channel=channel, event=InboundEvent("966501234567", "إلغاء")) == (
        OPT_OUT,
        2,
    )
    for contact in mine:
        contact.refresh_from_db()
        assert contact.opted_out
    for contact in (theirs, stranger):
        contact.refresh_from_db()
        assert not contact.opted_out

    assert inbound_message_record(
        channel=channel, event=InboundEvent("+966501234567", "START")
    ) == (OPT_IN, 2)
    for contact in mine:
        contact.refresh_from_db()
        assert not contact.opted_out


def test_a_repeated_stop_keeps_the_first_opt_out_time(alice):
    channel = make_channel(alice)
    contact = make_contact(alice, phone="+966501234567")
    inbound_message_record(channel=channel, event=InboundEvent("+966501234567", "STOP"))
    contact.refresh_from_db()
    first = contact.opted_out_at
    assert inbound_message_record(channel=channel, event=InboundEvent("+966501234567", "STOP")) == (
        OPT_OUT,
        0,
    )
    contact.refresh_from_db()
    assert contact.opted_out_at == first
