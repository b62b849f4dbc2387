"""`channel.health_changed`: the circuit breaker or a provider signal changes a number's
health, and a person's resume brings it back to ok."""

from channels.event_hooks.services import webhook_endpoint_create
from channels.safety import channel_breaker_restart, channel_health_set, channel_safety_pause
from skylight.models import WebhookEvent
from tests.factories import make_channel


def _health_events():
    return [
        (e.data["channel_id"], e.data["health"], e.data["reason"])
        for e in WebhookEvent.objects.filter(type="channel.health_changed").order_by("id")
    ]


def test_each_change_of_health_is_an_event_and_repeats_are_not(alice):
    webhook_endpoint_create(
        account=alice, url="https://example.com/h", events=["channel.health_changed"]
    )
    channel = make_channel(alice)
    channel_health_set(channel_id=channel.pk, health="warning", reason="3 of 20 sends failed")
    channel_health_set(channel_id=channel.pk, health="warning", reason="3 of 20 sends failed")
    channel_safety_pause(channel_id=channel.pk, reason="Meta flagged the number")
    channel_breaker_restart(channel_id=channel.pk)
    channel_breaker_restart(channel_id=channel.pk)  # already ok: nothing new

    assert _health_events() == [
        (channel.pk, "warning", "3 of 20 sends failed"),
        (channel.pk, "paused", "Meta flagged the number"),
        (channel.pk, "ok", None),
    ]
