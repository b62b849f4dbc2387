"""Delivery statuses never move backwards; failed is terminal; the contact shows the best."""

import pytest

from campaigns.deliveries import delivery_status_record
from channels.webhooks.events import StatusEvent
from tests.factories import make_channel, make_contact, make_delivery


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


def test_a_status_arriving_before_the_delivery_is_kept_and_applied_later(channel, alice):
    from campaigns.deliveries import status_receipts_apply
    from campaigns.models import StatusReceipt

    assert apply(channel, "early", "delivered") == [0]
    assert StatusReceipt.objects.filter(provider_message_id="early").exists()

    delivery = make_delivery(channel, make_contact(alice), "early")
    assert status_receipts_apply(channel=channel, provider_message_ids=["early"]) == 1

    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert not StatusReceipt.objects.exists()


def test_the_next_webhook_applies_waiting_receipts(channel, alice):
    from channels.webhooks.apply import events_apply

    apply(channel, "early", "read")
    delivery = make_delivery(channel, make_contact(alice), "early")

    counts = events_apply(channel=channel, events=[StatusEvent("unrelated", "sent")])

    assert counts["statuses"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "read"


def test_receipts_for_other_channels_wait_for_their_own(channel, alice):
    from campaigns.deliveries import status_receipts_apply

    other = make_channel(alice, name="Other")
    apply(other, "m9", "delivered")
    delivery = make_delivery(channel, make_contact(alice), "m9")

    assert status_receipts_apply(channel=channel) == 0
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_old_orphan_receipts_expire(channel):
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.deliveries import status_receipts_apply
    from campaigns.models import StatusReceipt

    apply(channel, "never-ours", "delivered")
    StatusReceipt.objects.update(created_at=timezone.now() - timedelta(days=2))
    apply(channel, "recent", "delivered")

    status_receipts_apply(channel=channel)

    assert list(StatusReceipt.objects.values_list("provider_message_id", flat=True)) == ["recent"]
