"""Delivery statuses never move backwards; failed is terminal; the contact shows the best."""

import pytest

from channels.inbound import delivery_status_record
from channels.webhooks.events import StatusEvent
from tests.conftest import make_channel, make_contact

from .conftest import make_delivery


@pytest.fixture
def channel(alice):
    return make_channel(alice)


def apply(channel, message_id, *statuses):
    return [
        delivery_status_record(channel=channel, event=StatusEvent(message_id, status))
        for status in statuses
    ]


@pytest.mark.parametrize(
    ("sequence", "final"),
    [
        (["sent", "delivered", "read"], "read"),
        (["read", "delivered"], "read"),
        (["read", "sent"], "read"),
        (["delivered", "sent"], "delivered"),
        (["failed", "delivered"], "failed"),
        (["failed", "read"], "failed"),
        (["delivered", "failed"], "delivered"),
        (["sent", "failed"], "failed"),
        (["read", "read"], "read"),
    ],
)
def test_status_sequences(channel, alice, sequence, final):
    delivery = make_delivery(channel, make_contact(alice), "m1", status="queued")
    apply(channel, "m1", *sequence)
    delivery.refresh_from_db()
    assert delivery.status == final
    assert delivery.campaign_contact.delivery_status == final


def test_read_before_delivered_stamps_both(channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "m1")
    assert apply(channel, "m1", "read", "delivered") == [1, 0]
    delivery.refresh_from_db()
    assert delivery.read_at and delivery.delivered_at == delivery.read_at


def test_the_contact_shows_the_best_status_of_its_messages(channel, alice):
    contact = make_contact(alice)
    first = make_delivery(channel, contact, "m1", position=0)
    make_delivery(channel, contact, "m2", position=1)

    apply(channel, "m1", "read")
    apply(channel, "m2", "failed")

    first.campaign_contact.refresh_from_db()
    assert first.campaign_contact.delivery_status == "read"


def test_unknown_message_ids_and_statuses_change_nothing(channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "m1")
    assert apply(channel, "other", "read") == [0]
    assert apply(channel, "m1", "deleted") == [0]
    delivery.refresh_from_db()
    assert delivery.status == "sent"
