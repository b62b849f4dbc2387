"""Many statuses in one payload: applied as sets, with the outcome of one-by-one."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.deliveries import delivery_status_record
from campaigns.models import Delivery, StatusReceipt
from campaigns.status_batches import delivery_statuses_record
from channels.webhooks.events import StatusEvent
from tests.factories import make_channel, make_contact, make_delivery
from tests.fakes.whatsapp import meta_signature, status_update

SEQUENCES = [
    ["sent", "delivered", "read"],
    ["read", "delivered"],
    ["read", "sent"],
    ["delivered", "sent"],
    ["failed", "delivered"],
    ["failed", "read"],
    ["delivered", "failed"],
    ["sent", "failed"],
    ["read", "read"],
    ["queued", "bogus", "delivered"],
]
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def events_for(sequences) -> list[StatusEvent]:
    """Each message's statuses, interleaved across messages as a busy payload has them."""
    events = []
    for step in range(max(map(len, sequences))):
        for number, sequence in enumerate(sequences):
            if step < len(sequence):
                at = T0 + timedelta(minutes=step, seconds=number)
                events.append(StatusEvent(f"m{number}", sequence[step], at, f"err {number}"))
    return events


def state(channel):
    rows = Delivery.objects.filter(campaign_contact__campaign__channel=channel).order_by("id")
    return [
        (d.provider_message_id, d.status, d.sent_at, d.delivered_at, d.read_at, d.error,
         d.campaign_contact.delivery_status)
        for d in rows.select_related("campaign_contact")
    ]  # fmt: skip


def deliveries(account, channel, count):
    contacts = [make_contact(account) for _ in range(count)]
    for number, contact in enumerate(contacts):
        make_delivery(channel, contact, f"m{number}", status="queued")


def test_a_batch_ends_where_one_by_one_ends(alice, bob):
    one_by_one, batched = make_channel(alice), make_channel(bob)
    deliveries(alice, one_by_one, len(SEQUENCES))
    deliveries(bob, batched, len(SEQUENCES))
    events = events_for(SEQUENCES)
    sequential = sum(delivery_status_record(channel=one_by_one, event=e) for e in events)
    assert delivery_statuses_record(channel=batched, events=events) == sequential
    assert state(batched) == state(one_by_one)
    assert [row[1] for row in state(batched)][:5] == ["read", "read", "read", "delivered", "failed"]


def test_unknown_ids_are_kept_as_receipts_and_foreign_ones_ignored(alice, bob):
    channel, other = make_channel(alice), make_channel(bob)
    make_delivery(other, make_contact(bob), "theirs", status="sent")
    events = [StatusEvent("early", "delivered", T0), StatusEvent("theirs", "read", T0),
              StatusEvent("x" * 500, "read", T0)]  # fmt: skip
    assert delivery_statuses_record(channel=channel, events=events) == 0
    assert Delivery.objects.get(provider_message_id="theirs").status == "sent"
    receipts = StatusReceipt.objects.filter(channel=channel)
    assert sorted(receipts.values_list("provider_message_id", flat=True)) == ["early", "theirs"]


def test_the_statement_count_does_not_grow_with_the_batch(alice, django_assert_max_num_queries):
    channel = make_channel(alice)
    deliveries(alice, channel, 60)
    few = [StatusEvent(f"m{n}", "delivered", T0) for n in range(5)]
    many = [StatusEvent(f"m{n}", "read", T0) for n in range(60)]
    with django_assert_max_num_queries(12) as small:
        delivery_statuses_record(channel=channel, events=few)
    with django_assert_max_num_queries(12) as large:
        assert delivery_statuses_record(channel=channel, events=many) == 60
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.fixture
def meta_channel(alice, fake_whatsapp):
    return make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())


def test_a_meta_payload_with_many_statuses_applies_them_all(client, alice, meta_channel):
    deliveries(alice, meta_channel, 20)
    value = json.loads(status_update("m0", "delivered"))
    statuses = value["entry"][0]["changes"][0]["value"]["statuses"]
    statuses[:] = [{**statuses[0], "id": f"m{n}", "status": "read"} for n in range(20)]
    body = json.dumps(value).encode()
    response = client.post(
        f"/webhooks/{meta_channel.webhook_token}/", body, content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=meta_signature(body),
    )  # fmt: skip
    assert response.status_code == 200
    rows = Delivery.objects.filter(campaign_contact__campaign__channel=meta_channel)
    assert set(rows.values_list("status", flat=True)) == {"read"}
    assert all(row.delivered_at == row.read_at for row in rows)
