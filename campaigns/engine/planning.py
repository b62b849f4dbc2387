"""The send cycle: which running campaigns may send now, and how much.

Only campaigns whose `next_send_at` has come are read (the partial index on running
campaigns), so a cycle costs nothing for campaigns that are waiting, however many
contacts they hold. Each planned campaign gets a new `next_send_at`: the next window
opening, tomorrow, or the moment the pacing curve allows its next send, plus jitter.
"""

import logging
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Min, Q

from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignStatus,
    ChannelDay,
    ContactStatus,
    WaitingReason,
)
from campaigns.progress import current_daily_limit
from campaigns.services import campaigns_start_scheduled
from skylight import metrics

from . import config
from .days import (
    campaign_tz,
    channel_cap,
    channel_caps_of,
    channel_date,
    channel_day,
    complete_if_done,
    roll_day,
)
from .recording import reap_stale_claims
from .windows import DayWindow, day_window, moment_for_attempt, next_opening, pace_cap

logger = logging.getLogger("skylight.engine")


@dataclass(frozen=True)
class Batch:
    """Up to `size` contacts of one campaign (on the number `channel_id`)."""

    campaign_id: int
    size: int
    now: datetime
    channel_id: int = 0


@dataclass(frozen=True)
class Round:
    """The batches one worker task sends, concurrently across their numbers.

    All batches of one number are in the same round, so its lane is not split.
    """

    batches: tuple[Batch, ...]
    now: datetime


@dataclass
class CycleReport:
    now: datetime
    due: int = 0
    planned: int = 0
    reaped: int = 0
    completed: int = 0
    started: int = 0  # scheduled drafts started by this cycle
    batches: list[Batch] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)


@dataclass
class _Channels:
    """Per-cycle channel facts: the shared cap, and which numbers already got a batch."""

    caps: dict[int, int] = field(default_factory=dict)
    busy: set[int] = field(default_factory=set)
    days: dict[tuple[int, date], ChannelDay] = field(default_factory=dict)

    def cap(self, channel_id: int) -> int:
        if channel_id not in self.caps:
            self.caps[channel_id] = channel_cap(channel_id)
        return self.caps[channel_id]

    def prefetch(self, campaigns: list[Campaign], now: datetime) -> None:
        """Caps and today's channel days of a chunk's numbers in three statements."""
        new = {c.channel_id for c in campaigns} - set(self.caps)
        self.caps.update({channel: 0 for channel in new} | channel_caps_of(new))
        keys = {(c.channel_id, channel_date(c.account.timezone, now)) for c in campaigns}
        ChannelDay.objects.bulk_create(
            [ChannelDay(channel_id=channel, date=day) for channel, day in keys],
            ignore_conflicts=True,
        )
        rows = ChannelDay.objects.filter(
            channel_id__in={key[0] for key in keys}, date__in={key[1] for key in keys}
        )
        self.days.update({(row.channel_id, row.date): row for row in rows})

    def day(self, campaign: Campaign, now: datetime) -> ChannelDay:
        key = (campaign.channel_id, channel_date(campaign.account.timezone, now))
        if key not in self.days:
            self.days[key] = channel_day(campaign.channel_id, campaign.account.timezone, now)
        return self.days[key]


@dataclass
class _Plan:
    next_send_at: datetime | None
    contacts: int = 0
    reason: str = ""  # why it waits until next_send_at (WaitingReason), "" while sending


def run_cycle(
    now: datetime, *, enqueue: Callable[[Round], object], workers: int | None = None
) -> CycleReport:
    """Plans every due running campaign and hands its batches, in rounds, to `enqueue`.

    `enqueue` is `campaigns.tasks.enqueue_round` for the workers, or a function that
    sends inline (the `send_cycle` command, tests). There are at least `workers` rounds
    (default: the qcluster's workers) when there are that many numbers, so every worker
    gets a share.
    """
    started = time.monotonic()
    report = CycleReport(now=now)
    report.reaped = reap_stale_claims(now)
    report.started = campaigns_start_scheduled(now=now)
    channels = _Channels()
    seen: set[int] = set()
    while True:
        chunk = _plan_chunk(now, report, channels, seen)
        if not chunk:
            break
    report.rounds = rounds(report.batches, now, workers or config.round_workers())
    for planned in report.rounds:
        enqueue(planned)
    logger.info(
        "cycle now=%s due=%s planned_contacts=%s batches=%s reaped=%s completed=%s",
        now.isoformat(),
        report.due,
        report.planned,
        len(report.batches),
        report.reaped,
        report.completed,
    )
    metrics.cycle_finished(time.monotonic() - started)
    return report


def _due(now: datetime, seen: set[int]):
    return (
        Campaign.objects.filter(status=CampaignStatus.RUNNING)
        .filter(Q(next_send_at__lte=now) | Q(next_send_at__isnull=True))
        .exclude(pk__in=seen)
        .select_related("account", "channel")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_send_at", "pk")[: config.planning_chunk()]  # ties: oldest first
    )


def _plan_chunk(now, report: CycleReport, channels: _Channels, seen: set[int]) -> int:
    """Plans one chunk of due campaigns in one transaction; returns how many it read."""
    with transaction.atomic():
        campaigns = list(_due(now, seen))
        channels.prefetch(campaigns, now)
        waiting: list[Campaign] = []
        for campaign in campaigns:
            plan = _plan_campaign(campaign, now, channels)
            if plan is not None and campaign.channel.unavailable_reason:
                plan = _while_unavailable(plan, now)
            if plan is None:
                report.completed += 1
                continue
            campaign.next_send_at = plan.next_send_at
            campaign.waiting_reason = plan.reason  # what it waits for after this batch
            if plan.next_send_at is None or plan.next_send_at <= now:
                seen.add(campaign.pk)  # still due: do not read it again this cycle
            waiting.append(campaign)
            if plan.contacts:
                report.planned += plan.contacts
                report.batches.extend(_batches(campaign, plan.contacts, now))
        _save_next_looks(waiting)
    report.due += len(campaigns)
    return len(campaigns)


def _save_next_looks(campaigns: list[Campaign]) -> None:
    """One UPDATE per distinct moment: campaigns waiting for the same window opening or
    midnight share it, so a thousand idle campaigns cost a handful of statements."""
    by_moment: dict[tuple[datetime | None, str], list[int]] = defaultdict(list)
    for campaign in campaigns:
        by_moment[(campaign.next_send_at, campaign.waiting_reason)].append(campaign.pk)
    for (moment, reason), ids in by_moment.items():
        Campaign.objects.filter(pk__in=ids).update(next_send_at=moment, waiting_reason=reason)


def _batches(campaign: Campaign, contacts: int, now: datetime) -> list[Batch]:
    size = config.batch_size()
    full, rest = divmod(contacts, size)
    sizes = [size] * full + ([rest] if rest else [])
    return [
        Batch(campaign_id=campaign.pk, size=n, now=now, channel_id=campaign.channel_id)
        for n in sizes
    ]


def rounds(batches: list[Batch], now: datetime, workers: int) -> list[Round]:
    """Deals the numbers out to at least `workers` rounds of at most `round_numbers()`."""
    channels = sorted({batch.channel_id for batch in batches})
    if not channels:
        return []
    count = max(workers, math.ceil(len(channels) / config.round_numbers()))
    count = max(1, min(count, len(channels)))
    share = {channel: index % count for index, channel in enumerate(channels)}
    groups: list[list[Batch]] = [[] for _ in range(count)]
    for batch in batches:
        groups[share[batch.channel_id]].append(batch)
    return [Round(batches=tuple(group), now=now) for group in groups]


def _plan_campaign(campaign: Campaign, now: datetime, channels: _Channels) -> _Plan | None:
    """How many contacts the campaign may attempt now, and when to look at it again."""
    if campaign.pending_count == 0:
        return None if complete_if_done(campaign.pk, now) else _Plan(None)
    if not campaign.channel.is_active:  # a disconnected number sends nothing
        return _Plan(now + timedelta(minutes=10), reason=WaitingReason.PROVIDER_BACKOFF)
    tz = campaign_tz(campaign)
    start, end = campaign.send_window_start, campaign.send_window_end
    today = now.astimezone(tz).date()
    window = day_window(today, tz, start, end, config.cycle_seconds())
    roll_day(campaign, today)
    if not window.is_open(now):
        # Look again when the window opens, or at local midnight to start the new day.
        midnight = day_window(today, tz, None, None).closes_at
        return _Plan(
            min(next_opening(now, tz, start, end), midnight), reason=WaitingReason.OUTSIDE_WINDOW
        )
    limit = current_daily_limit(campaign)
    attempted = campaign.today_attempted
    tomorrow = next_opening(now, tz, start, end, after_today=True)
    if attempted >= limit:
        # The limit counts people: those already counted today may still finish.
        counted, soonest = _counted_today(campaign, today, now)
        look = min(tomorrow, soonest) if soonest else tomorrow
        return _Plan(look, counted, reason=WaitingReason.DAILY_LIMIT_REACHED)
    allowed = pace_cap(limit, window.elapsed_fraction(now)) - attempted
    if allowed <= 0:
        return _Plan(_paced(window, attempted, limit, now), reason=WaitingReason.PACING)
    day = channels.day(campaign, now)
    channel_left = channels.cap(campaign.channel_id) - day.attempted
    if channel_left <= 0:
        counted, _ = _counted_today(campaign, today, now)
        return _Plan(
            min(tomorrow, now + timedelta(minutes=10)),
            counted,
            reason=WaitingReason.CHANNEL_LIMIT_REACHED,
        )
    if _provider_backoff(day, now):
        return _Plan(day.ready_at, reason=WaitingReason.PROVIDER_BACKOFF)
    if _channel_busy(campaign, window, now, channels):
        moment = now + timedelta(seconds=random.uniform(0.3, 1) * config.cycle_seconds())
        return _Plan(moment, reason=WaitingReason.PACING)
    contacts = min(allowed, channel_left, campaign.pending_count)
    if attempted + contacts >= limit:
        return _Plan(tomorrow, contacts, reason=WaitingReason.DAILY_LIMIT_REACHED)
    return _Plan(_paced(window, attempted + contacts, limit, now), contacts, WaitingReason.PACING)


def _counted_today(campaign: Campaign, today: date, now: datetime):
    """(how many are due, when the next is due) of the pending contacts already counted on
    `today` (a follow-up, a retry after a message was accepted): they take no new slot.
    One statement on the partial index of counted rows."""
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    figures = CampaignContact.objects.filter(
        campaign_id=campaign.pk, status=ContactStatus.PENDING, counted_on=today
    ).aggregate(due=Count("pk", filter=ready), soonest=Min("next_attempt_at", filter=~ready))
    return figures["due"], figures["soonest"]


def _provider_backoff(day: ChannelDay, now: datetime) -> bool:
    """The number rests well past its usual gap: its provider asked it to (Retry-After).
    Short rests (the gap between contacts) are left to the lanes, which wait them out."""
    if day.ready_at is None or day.ready_at <= now:
        return False
    usual = timedelta(seconds=config.contact_gap_seconds() + config.cycle_seconds())
    return day.ready_at - now > usual


def _while_unavailable(plan: _Plan, now: datetime) -> _Plan:
    """A channel marked unavailable (channels.availability) gets one contact per probe
    interval at most: its batch asks the provider first and sends only if it is back."""
    probe = now + timedelta(seconds=config.channel_probe_seconds())
    if plan.contacts:
        return _Plan(probe, 1, reason=WaitingReason.PROVIDER_BACKOFF)
    return _Plan(max(plan.next_send_at or probe, probe), reason=WaitingReason.PROVIDER_BACKOFF)


def _channel_busy(campaign: Campaign, window: DayWindow, now: datetime, channels: _Channels):
    """One campaign per number per cycle, so campaigns sharing a number take turns at
    random moments; in the window's last minute everyone may go."""
    if campaign.channel_id not in channels.busy:
        channels.busy.add(campaign.channel_id)
        return False
    return now < window.closes_at - window.tail


def _paced(window: DayWindow, attempted: int, limit: int, now: datetime) -> datetime:
    """When the curve allows the next send, with random jitter, before the paced end."""
    interval = window.paced_seconds / limit
    jitter = random.uniform(0, min(config.pacing_jitter_seconds(), interval / 2))
    moment = moment_for_attempt(window, attempted, limit) + timedelta(seconds=jitter)
    latest = window.closes_at - window.tail
    return max(min(moment, latest), now + timedelta(seconds=1))
