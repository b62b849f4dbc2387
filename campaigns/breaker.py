"""The circuit breaker of each number: stop a number whose sends go wrong.

Over a sliding window per channel (its newest `WINDOW_SENDS` finished attempts, and every
attempt of the last hour if there are more; only those after
`Channel.health_window_start`), it trips when
permanent failures reach the account's share over enough attempts, or when opt-outs
and blocks reach the account's count. Tripped: the channel's health is `paused` with a
sentence of figures, and every running campaign on it is paused by safety. Half-way to
either threshold the health is `warning`; a person resuming restarts the window.

A number on warm-up sends a few dozen a day, so "the last hour" alone would rarely hold
enough attempts to judge; a busy number is judged on its whole last hour.

Cost per flush and channel: the attempts are inserted with the outcomes (one bulk
insert), then one read of the channel with its account and one read of at most
`MAX_ROWS` rows on the (channel, at) index; a pruning delete on that index only when
rows left the window, and a write only when the health changes.
"""

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q

from campaigns.models import ChannelAttempt
from channels.models import Channel, ChannelHealth
from channels.safety import channel_breaker_restart, channel_health_set, channel_safety_pause

logger = logging.getLogger("skylight.breaker")

WINDOW_SENDS = 50
WINDOW = timedelta(hours=1)
MAX_ROWS = 1000  # the most attempts of one hour the breaker reads (far above any daily cap)


@dataclass(frozen=True)
class Thresholds:
    failure_percent: int = 20
    min_attempts: int = 20
    opt_out_limit: int = 3

    @classmethod
    def of(cls, account) -> "Thresholds":
        return cls(
            account.breaker_failure_percent,
            account.breaker_min_attempts,
            account.breaker_opt_out_limit,
        )


@dataclass(frozen=True)
class Verdict:
    health: str
    reason: str = ""


@dataclass(frozen=True)
class Window:
    """Attempt kinds, newest first, and whether they all fall in the last hour; or, as the
    breaker reads it, only their counts (`counts`: attempts, failed, refused)."""

    kinds: list[str] = field(default_factory=list)
    within_hour: bool = True
    counts: tuple[int, int, int] | None = None

    @property
    def attempts(self) -> int:
        return self.counts[0] if self.counts else len(self.kinds)

    @property
    def failed(self) -> int:
        return self.counts[1] if self.counts else self.kinds.count(ChannelAttempt.Kind.FAILED)

    @property
    def refused(self) -> int:
        return self.counts[2] if self.counts else self.kinds.count(ChannelAttempt.Kind.REFUSED)

    @property
    def where(self) -> str:
        return "in the last hour" if self.within_hour else f"in its last {self.attempts} sends"


def verdict(window: Window, limits: Thresholds) -> Verdict:
    """The health a window of attempts calls for, and why (a sentence with the figures)."""
    attempts, failed, refused = window.attempts, window.failed, window.refused
    share = f"{failed} of {attempts} sends failed permanently {window.where}"
    refusals = f"{refused} people opted out or blocked the number {window.where}"
    if refused >= limits.opt_out_limit:
        return Verdict(ChannelHealth.PAUSED, f"{refusals} (limit {limits.opt_out_limit}).")
    if attempts >= limits.min_attempts and failed * 100 >= limits.failure_percent * attempts:
        return Verdict(
            ChannelHealth.PAUSED,
            f"{share} (limit {limits.failure_percent} % over at least "
            f"{limits.min_attempts} sends).",
        )
    if refused and refused * 2 >= limits.opt_out_limit:
        return Verdict(ChannelHealth.WARNING, f"{refusals}; at {limits.opt_out_limit} it pauses.")
    half_attempts = math.ceil(limits.min_attempts / 2)
    if failed and attempts >= half_attempts and failed * 200 >= limits.failure_percent * attempts:
        return Verdict(
            ChannelHealth.WARNING,
            f"{share}; at {limits.failure_percent} % over {limits.min_attempts} sends it pauses.",
        )
    return Verdict(ChannelHealth.OK)


def window_of(channel: Channel, now: datetime) -> Window:
    """The channel's newest `WINDOW_SENDS` attempts, or all of the last hour if more;
    prunes what neither keeps. Counted by the database: two aggregates over at most
    `MAX_ROWS` rows of the (channel, at) index, none of them sent here."""
    attempts = ChannelAttempt.objects.filter(channel_id=channel.pk)
    if channel.health_window_start:
        attempts = attempts.filter(at__gte=channel.health_window_start)
    newest = attempts.order_by("-at", "-id")
    hour_ago = now - WINDOW
    read = newest[:MAX_ROWS].aggregate(
        rows=Count("id"), recent=Count("id", filter=Q(at__gte=hour_ago))
    )
    # Newest first, so the attempts of the last hour are the first `recent` rows.
    kept = max(min(read["rows"], WINDOW_SENDS), read["recent"])
    if not kept:
        return Window(counts=(0, 0, 0))
    found = newest[:kept].aggregate(
        failed=Count("id", filter=Q(kind=ChannelAttempt.Kind.FAILED)),
        refused=Count("id", filter=Q(kind=ChannelAttempt.Kind.REFUSED)),
        oldest=Min("at"),
    )
    if read["rows"] > kept or read["rows"] == MAX_ROWS:  # something is out of the window
        oldest_kept = min(found["oldest"], hour_ago)
        ChannelAttempt.objects.filter(channel_id=channel.pk, at__lt=oldest_kept).delete()
    return Window(
        counts=(kept, found["failed"], found["refused"]),
        within_hour=read["recent"] >= kept,
    )


def breaker_check(*, channel_ids, now: datetime) -> None:
    """Evaluates each channel's window after its outcomes were recorded; acts on the verdict."""
    channels = Channel.objects.filter(pk__in=list(channel_ids)).select_related("account")
    for channel in channels.only(
        "pk",
        "health",
        "health_reason",
        "health_window_start",
        "account__breaker_failure_percent",
        "account__breaker_min_attempts",
        "account__breaker_opt_out_limit",
    ):
        found = verdict(window_of(channel, now), Thresholds.of(channel.account))
        if found.health == ChannelHealth.PAUSED:
            logger.warning("channel=%s breaker tripped: %s", channel.pk, found.reason)
            channel_safety_pause(channel_id=channel.pk, reason=found.reason, now=now)
        elif channel.health != ChannelHealth.PAUSED and (
            (channel.health, channel.health_reason) != (found.health, found.reason)
        ):
            # A paused number stays paused until a person resumes (which restarts it).
            channel_health_set(
                channel_id=channel.pk, health=found.health, reason=found.reason, now=now
            )


def breaker_restart(*, channel_id: int) -> None:
    """A person resumed a campaign safety paused: the number's window starts empty now."""
    ChannelAttempt.objects.filter(channel_id=channel_id).delete()
    channel_breaker_restart(channel_id=channel_id)
