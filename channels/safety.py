"""A channel's health as sender safety sees it: ok, warning, or paused with a reason.

channels owns the fields; the circuit breaker (campaigns) and provider signals (a Meta
quality or account webhook, a gateway session that logged out) change them here. A
pause is announced with `channel_safety_paused`, which campaigns answers by pausing
every running campaign on the channel (channels never imports campaigns).
"""

import logging
from datetime import datetime

from django.utils import timezone

from skylight.events import event_emit

from .models import Channel, ChannelHealth
from .signals import channel_safety_paused

logger = logging.getLogger("skylight.channels")


def channel_health_set(
    *, channel_id: int, health: str, reason: str = "", now: datetime | None = None
) -> bool:
    """Records the channel's health and why; writes only on a change. True if it changed.

    A paused channel stays paused (one conditional UPDATE, so a concurrent flush that saw
    it healthy cannot undo a pause): only `channel_breaker_restart` lifts it.
    """
    now = now or timezone.now()
    reason = reason[:300]
    rows = Channel.objects.filter(pk=channel_id).exclude(health=health, health_reason=reason)
    if health != ChannelHealth.PAUSED:
        rows = rows.exclude(health=ChannelHealth.PAUSED)
    changed = rows.update(health=health, health_reason=reason, health_changed_at=now)
    if changed:
        logger.warning("channel=%s health=%s: %s", channel_id, health, reason or "-")
        _health_changed_emit(channel_id, health, reason, now)
    return bool(changed)


def _health_changed_emit(channel_id: int, health: str, reason: str, now: datetime) -> None:
    """Webhooks out: `channel.health_changed` with the new health and why."""
    account_id = Channel.objects.filter(pk=channel_id).values_list("account_id", flat=True).first()
    if account_id is not None:
        event_emit(
            account_id,
            "channel.health_changed",
            {
                "channel_id": channel_id,
                "health": str(health),
                "reason": reason or None,
                "changed_at": now.isoformat().replace("+00:00", "Z"),
            },
        )


def channel_safety_pause(*, channel_id: int, reason: str, now: datetime | None = None) -> None:
    """The number must stop: health `paused` with `reason`, and every running campaign on
    it is paused by safety (campaigns answers the signal). Safe to repeat."""
    channel_health_set(channel_id=channel_id, health=ChannelHealth.PAUSED, reason=reason, now=now)
    channel_safety_paused.send(sender=Channel, channel_id=channel_id, reason=reason)


def channel_breaker_restart(*, channel_id: int, now: datetime | None = None) -> None:
    """A person resumed: health back to `ok`, and the breaker counts only sends from now."""
    now = now or timezone.now()
    was = Channel.objects.filter(pk=channel_id).values_list("health", flat=True).first()
    Channel.objects.filter(pk=channel_id).update(
        health=ChannelHealth.OK, health_reason="", health_changed_at=now, health_window_start=now
    )
    if was is not None and was != ChannelHealth.OK:
        _health_changed_emit(channel_id, ChannelHealth.OK, "", now)
    logger.info("channel=%s breaker window restarted", channel_id)
