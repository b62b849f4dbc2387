"""Writing the outcomes of a whole round together: on PostgreSQL one transaction and a
constant number of set-based statements per flush, however many campaigns it covers.

Lock order inside a flush: the outcomes' own `sending` rows, then the campaigns in id
order, then their chart rows, then the channel days in id order (only when slots go
back). A claim takes one campaign, then its channel day; neither ever waits for a row
while holding one the other needs next in the same order, so they cannot deadlock.
"""

import contextvars
import logging
import time
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection, connections, transaction

from campaigns.deliveries import status_receipts_apply
from campaigns.models import Campaign, ChannelDay, ContactStatus, StatusReceipt
from campaigns.webhook_events import campaigns_emit, outcomes_emit

from . import bulk, config, safety
from .recording import (
    FLUSH_SIZE,
    Recorder,
    _relax_durability,
    end_replied_steps,
    record_outcomes,
    write_rows,
)
from .sending import Outcome

logger = logging.getLogger("skylight.engine")


WRITE_BEHIND_MIN = 100  # outcomes in a flush for it to be written behind


class RoundRecorder:
    """Buffers the outcomes of every lane of a round; the round decides when to flush.

    A flush of many outcomes (lanes that claim many at once: a fast transport) is written
    by a writer thread on its own connection while this thread goes on claiming and
    sending. At most `config.outcome_writers()` writes are in flight (default 2); they
    may overlap, as two workers' flushes do (each contact is in one flush only, counters
    add up in any order, and a flush locks rows in the order claims do). A write that
    failed raises at the next flush; the last flush (`close`) waits for every write and
    is written inline. Everything else is written inline: on SQLite, inside a
    transaction, and small flushes, so a lane sending one contact at a time has each
    outcome recorded, and judged by the breaker, before its next claim.
    """

    def __init__(self, max_delay: float = 0.25):
        self.max_delay = max_delay
        self.items: list[tuple[Recorder, Outcome]] = []
        self.first_buffered = 0.0
        self.limit = max(config.outcome_writers(), 0)  # writes in flight at most
        self.turn = 0
        self.writers: list[ThreadPoolExecutor] = []
        self.writing: deque[Future] = deque()

    def add(self, target: Recorder, outcome: Outcome) -> None:
        if not self.items:
            self.first_buffered = time.monotonic()
        self.items.append((target, outcome))
        if len(self.items) >= FLUSH_SIZE:
            self.flush()

    def due_in(self) -> float | None:
        """Seconds until the oldest buffered outcome must be written; None if none."""
        if not self.items:
            return None
        return self.first_buffered + self.max_delay - time.monotonic()

    def flush(self, inline: bool = False) -> None:
        """Writes what is buffered: behind, by a writer thread (returning once fewer than
        `limit` writes are in flight), where it may; else (or with `inline`) here, once
        every write in flight has ended."""
        items, self.items = self.items, []
        if not items and not inline:
            return  # nothing to write: the writes in flight go on
        behind = (
            not inline and len(items) >= WRITE_BEHIND_MIN and self.limit > 0 and _may_write_behind()
        )
        try:
            self.settle(keep=self.limit - 1 if behind else 0)
        except Exception:
            if items:
                record_round(items)  # what this flush holds is written all the same
            raise
        if not items:
            return
        if not behind:
            record_round(items)
            return
        if len(self.writers) < self.limit:
            self.writers.append(
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="skylight-write")
            )
        writer = self.writers[self.turn % self.limit]
        self.turn += 1
        self.writing.append(writer.submit(_write_behind, items, contextvars.copy_context()))

    def settle(self, keep: int = 0) -> None:
        """Waits until at most `keep` writes are in flight; raises what they raised."""
        while len(self.writing) > keep:
            self.writing.popleft().result()

    def close(self) -> None:
        """Flushes, then ends the writer threads and their connections."""
        try:
            self.flush(inline=True)
        finally:
            for writer in self.writers:
                writer.submit(connections.close_all).result()
                writer.shutdown()
            self.writers = []


def _may_write_behind() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _write_behind(items, context: contextvars.Context) -> None:
    """The writer thread: the outcomes, with the log context they were buffered under."""
    context.run(record_round, items)


def record_round(items: list[tuple[Recorder, Outcome]]) -> None:
    by_target: dict[int, tuple[Recorder, list[Outcome]]] = {}
    for target, outcome in items:
        by_target.setdefault(target.campaign_id, (target, []))[1].append(outcome)
    if connection.vendor != "postgresql" or len(by_target) == 1:
        for target, outcomes in by_target.values():
            record_outcomes(target, outcomes)
        return
    applied = _record_together(items, sorted(by_target))
    _apply_early_statuses(applied)
    if applied:
        safety.after_flush(applied, max(outcome.finished_at for _, outcome in applied))


def _record_together(items, campaign_ids: list[int]) -> list[tuple[Recorder, Outcome]]:
    now = max(outcome.finished_at for _, outcome in items)
    with transaction.atomic():
        _relax_durability()
        applied = write_rows(items)
        if not applied:
            return []
        ended = end_replied_steps(o for _, o in applied)
        # Webhooks out: one subscriptions read, and two inserts only when someone listens.
        outcomes_emit((t.channel.account_id, t.campaign_id, o) for t, o in applied)
        # The campaigns' rows late, so their locks (which claims wait for) are held briefly.
        bulk.lock_in_order(Campaign, campaign_ids)
        campaigns, days, channel_days = _sums(applied, ended)
        bulk.move_campaign_counters(campaigns)
        if days:
            bulk.count_campaign_days(days)
        if channel_days:
            bulk.lock_in_order(ChannelDay, sorted(channel_days))
            bulk.return_channel_slots(sorted(channel_days.items()))
        safety.refusals_record(applied, now)
        completed = bulk.complete_done(campaign_ids, now)
        for campaign_id in completed:
            logger.info("campaign=%s completed", campaign_id)
        campaigns_emit(completed, "campaign.completed")
    return applied


def _sums(applied, ended: set[int] = frozenset()):
    """Per campaign (id, sent, failed, retried, day, retry_at, skipped); per chart row
    (campaign, day, sent, failed); per channel day the slots that go back (`retried` counts
    them)."""
    totals: dict[int, list] = {}
    channel_days: dict[int, int] = defaultdict(int)
    for target, outcome in applied:
        row = totals.setdefault(
            target.campaign_id, [target.campaign_id, 0, 0, 0, target.day, None, 0]
        )
        if outcome.status == ContactStatus.SENT or outcome.claim.id in ended:
            row[1] += 1
        elif outcome.status == ContactStatus.FAILED:
            row[2] += 1
        elif outcome.status == ContactStatus.SKIPPED:
            row[6] += 1  # unreachable: its attempt used the slot, which stays used
        else:
            if outcome.returns_slot:
                row[3] += 1
                channel_days[target.channel_day_id] += 1
            if outcome.next_attempt_at and (row[5] is None or outcome.next_attempt_at < row[5]):
                row[5] = outcome.next_attempt_at
    campaigns = [tuple(row) for _, row in sorted(totals.items())]
    days = [(row[0], row[4], row[1], row[2]) for row in campaigns if row[1] or row[2]]
    return campaigns, days, channel_days


def _apply_early_statuses(applied) -> None:
    """Provider statuses that arrived before these deliveries were written apply now."""
    channels = {target.channel.pk: target.channel for target, _ in applied}
    waiting = set(
        StatusReceipt.objects.filter(channel_id__in=list(channels))
        .values_list("channel_id", flat=True)
        .distinct()
    )
    for channel_id in waiting:
        ids = {
            d.provider_message_id
            for target, outcome in applied
            if target.channel.pk == channel_id
            for d in outcome.deliveries
            if d.provider_message_id
        }
        if ids:
            status_receipts_apply(channel=channels[channel_id], provider_message_ids=ids)
