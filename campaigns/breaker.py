"""The circuit breaker of each number: stop a number whose sends go wrong.

Over a sliding window per channel (its newest `WINDOW_SENDS` finished attempts of the
last hour, counting only those after `Channel.health_window_start`), it trips when
permanent failures reach the account's share over enough attempts, or when opt-outs
and blocks reach the account's count. Tripped: the channel's health is `paused` with a
sentence of figures, and every running campaign on it is paused by safety. Half-way to
either threshold the health is `warning`; a person resuming restarts the window.

Cost per flush and channel: the attempts are inserted with the outcomes (one bulk
insert), then one read of the channel with its account, one bounded read of at most
`WINDOW_SENDS` rows on the (channel, at) index, and one pruning delete on that index.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.models import ChannelAttempt
from channels.models import Channel, ChannelHealth
from channels.safety import channel_health_set, channel_safety_pause

logger = logging.getLogger("skylight.breaker")

WINDOW_SENDS = 50
WINDOW = timedelta(hours=1)


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


def verdict(kinds: list[str], limits: Thresholds) -> Verdict:
    """The health a window of attempt kinds (newest first) calls for, and why."""
    attempts = len(kinds)
    failed = kinds.count(ChannelAttempt.Kind.FAILED)
    refused = kinds.count(ChannelAttempt.Kind.REFUSED)
    share = f"{failed} of {attempts} sends failed permanently in the last hour"
    refusals = f"{refused} people opted out or blocked the number in its last {attempts} sends"
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


def window_kinds(channel: Channel, now: datetime) -> list[str]:
    """The kinds of the channel's newest attempts in its window (bounded, newest first)."""
    since = now - WINDOW
    if channel.health_window_start and channel.health_window_start > since:
        since = channel.health_window_start
    return list(
        ChannelAttempt.objects.filter(channel_id=channel.pk, at__gte=since)
        .order_by("-at", "-id")
        .values_list("kind", flat=True)[:WINDOW_SENDS]
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
        found = verdict(window_kinds(channel, now), Thresholds.of(channel.account))
        ChannelAttempt.objects.filter(channel_id=channel.pk, at__lt=now - WINDOW).delete()
        if found.health == ChannelHealth.PAUSED:
            logger.warning("channel=%s breaker tripped: %s", channel.pk, found.reason)
            channel_safety_pause(channel_id=channel.pk, reason=found.reason, now=now)
        elif channel.health != ChannelHealth.PAUSED:
            # A paused number stays paused until a person resumes (which restarts it).
            channel_health_set(
                channel_id=channel.pk, health=found.health, reason=found.reason, now=now
            )
