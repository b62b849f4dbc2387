"""`contact.opted_out` from every way a contact opts out: the API, a suppression, a STOP,
a provider saying the recipient refuses messages; opting back in emits nothing."""

from channels.event_hooks.services import webhook_endpoint_create
from channels.webhooks.apply import events_apply
from channels.webhooks.events import BlockedEvent
from contacts.suppressions import suppression_add
from skylight.models import WebhookEvent
from tests.factories import make_channel, make_contact


def _opted_out(account):
    return [(e.data["contact_id"], e.data["reason"]) for e in WebhookEvent.objects.order_by("id")]


def test_patching_opted_out_through_the_api_emits_once(api, alice):
    webhook_endpoint_create(
        account=alice, url="https://example.com/h", events=["contact.opted_out"]
    )
    contact = make_contact(alice)

    api.patch(f"/api/v1/contacts/{contact.pk}", {"opted_out": True}, format="json")
    api.patch(f"/api/v1/contacts/{contact.pk}", {"opted_out": True}, format="json")  # no change
    api.patch(f"/api/v1/contacts/{contact.pk}", {"opted_out": False}, format="json")

    assert _opted_out(alice) == [(contact.pk, "updated")]
    data = WebhookEvent.objects.get().data
    assert (data["phone"], data["type"]) == (contact.phone, "whatsapp")
    assert data["opted_out_at"].endswith("Z")


def test_a_suppression_and_a_block_emit_for_the_contacts_they_opt_out(alice):
    webhook_endpoint_create(
        account=alice, url="https://example.com/h", events=["contact.opted_out"]
    )
    first, second = make_contact(alice), make_contact(alice, type="telegram", external_id="4455")
    channel = make_channel(alice, type="telegram", provider="console")

    suppression_add(account=alice, address=first.phone, channel_type="whatsapp", source="api")
    events_apply(channel=channel, events=[BlockedEvent(sender="4455")])

    assert _opted_out(alice) == [
        (first.pk, "suppressed"),
        (second.pk, "Blocked the channel."),
    ]


def test_nothing_is_emitted_for_an_account_without_the_subscription(alice):
    webhook_endpoint_create(account=alice, url="https://example.com/h", events=["contact.sent"])
    contact = make_contact(alice)

    suppression_add(account=alice, address=contact.phone, channel_type="whatsapp", source="api")

    contact.refresh_from_db()
    assert contact.opted_out
    assert not WebhookEvent.objects.exists()
