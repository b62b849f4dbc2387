"""Whether a channel can send right now, from what its provider answers.

A send error that names the channel (`TransportError.channel_unavailable`: a stopped
WhatsApp session, a missing instance, a refused API key) marks the channel unavailable;
the next accepted send, a ready connection state or a settings change clears it. The
send engine asks `channel_ready()` before a batch: while the channel is unavailable its
campaigns wait, and the provider is asked again (connection state) every
SKYLIGHT_CHANNEL_PROBE_SECONDS, so a session that comes back resumes them.

Each write is one conditional UPDATE: nothing is written while the state is unchanged.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Channel
from .transports import ConnectionState, Transport, TransportError, transport_for

logger = logging.getLogger("skylight.channels")


def channel_mark_unavailable(*, channel: Channel, reason: str, now: datetime | None = None) -> bool:
    """Records why the channel cannot send (keeping when it started); True if it changed."""
    now = now or timezone.now()
    reason = reason[:300]
    changed = (
        Channel.objects.filter(pk=channel.pk)
        .exclude(unavailable_reason=reason)
        .update(
            unavailable_reason=reason,
            unavailable_since=Coalesce(F("unavailable_since"), now),
            availability_checked_at=now,
        )
    )
    channel.unavailable_reason = reason
    channel.unavailable_since = channel.unavailable_since or now
    channel.availability_checked_at = now
    if changed:
        logger.warning("channel=%s unavailable: %s", channel.pk, reason)
    return bool(changed)


def channel_mark_available(*, channel: Channel) -> bool:
    """Clears the unavailable mark; True if the channel had one."""
    changed = (
        Channel.objects.filter(pk=channel.pk)
        .exclude(unavailable_reason="", unavailable_since=None)
        .update(unavailable_reason="", unavailable_since=None, availability_checked_at=None)
    )
    channel.unavailable_reason, channel.unavailable_since = "", None
    if changed:
        logger.info("channel=%s available again", channel.pk)
    return bool(changed)


def channel_state_record(*, channel: Channel, state: ConnectionState | None) -> None:
    """Applies a connection state the provider reported (None: it cannot say)."""
    if state is None:
        return
    if state.ready:
        channel_mark_available(channel=channel)
    else:
        channel_mark_unavailable(channel=channel, reason=f"{state.description}.")


def channel_ready(channel: Channel, now: datetime | None = None) -> bool:
    """False while the channel is marked unavailable; asks the provider again when due."""
    if not channel.unavailable_reason:
        return True
    now = now or timezone.now()
    checked = channel.availability_checked_at
    probe = timedelta(seconds=float(settings.SKYLIGHT_CHANNEL_PROBE_SECONDS))
    if checked is not None and abs(now - checked) < probe:
        return False
    Channel.objects.filter(pk=channel.pk).update(availability_checked_at=now)
    channel.availability_checked_at = now
    try:
        state = transport_for(channel).connection_state()
    except TransportError as exc:
        reason = exc.channel_unavailable or channel.unavailable_reason
        channel_mark_unavailable(channel=channel, reason=reason, now=now)
        return False
    if state is None:
        return True  # the provider cannot tell: let a send find out
    channel_state_record(channel=channel, state=state)
    return state.ready


class TrackedTransport:
    """A channel's transport that keeps the channel's availability mark up to date.

    Everything but `send` is the wrapped transport's; a successful send clears the mark
    only when the channel had one, so a healthy channel costs no extra write.
    """

    def __init__(self, channel: Channel, transport: Transport):
        self.channel = channel
        self.transport = transport
        self._marks: list[str] = []  # learned while sending in steps: "" back, else why not

    def __getattr__(self, name):
        return getattr(self.transport, name)

    def send(self, recipient, message):
        try:
            result = self.transport.send(recipient, message)
        except TransportError as exc:
            self._failed(exc)
            raise
        self._succeeded()
        return result

    def send_steps(self, recipient, message):
        """The wrapped transport's steps (the engine waits out its pauses, maybe in a pool
        thread). What they learn is kept, not written: the engine calls `apply_marks()`
        from its own thread, so no database write happens beside its transactions."""
        try:
            result = yield from self.transport.send_steps(recipient, message)
        except TransportError as exc:
            if exc.channel_unavailable:
                self._marks.append(exc.channel_unavailable)
            raise
        if self.channel.unavailable_reason:
            self._marks.append("")
        return result

    def apply_marks(self) -> None:
        """Writes the availability the last steps learned (see `send_steps`)."""
        marks, self._marks = self._marks, []
        for reason in marks:
            if reason:
                channel_mark_unavailable(channel=self.channel, reason=reason)
            else:
                channel_mark_available(channel=self.channel)

    def _failed(self, exc: TransportError) -> None:
        if exc.channel_unavailable:
            channel_mark_unavailable(channel=self.channel, reason=exc.channel_unavailable)

    def _succeeded(self) -> None:
        if self.channel.unavailable_reason:
            channel_mark_available(channel=self.channel)


def channel_transport(channel: Channel) -> TrackedTransport:
    """The transport the send engine and the test send use for this channel."""
    return TrackedTransport(channel, transport_for(channel))
