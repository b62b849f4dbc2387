"""django-q2 tasks of the send engine: each loads by id and calls the engine; each is
harmless to run twice (every claim and every outcome is a conditional update). Also the
sweep of the report's counts (campaigns/reports.py), harmless to run at any time."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from campaigns.engine import Batch, Round, run_cycle, send_batch, send_round
from campaigns.reports import report_counts_sweep


def send_cycle_task() -> int:
    """The every-minute schedule: plan on the real clock, fan rounds out to workers."""
    return run_cycle(timezone.now(), enqueue=enqueue_round).planned


def report_counts_sweep_task() -> int:
    """The every-five-minutes schedule: folds the report counts that piled up."""
    return report_counts_sweep()


def send_round_task(batches: list, clock: str | None = None) -> int:
    """Sends one planned round ([campaign id, size] pairs) concurrently across numbers;
    `clock` (ISO 8601) fixes the time for simulations."""
    now = datetime.fromisoformat(clock) if clock else None
    moment = now or timezone.now()
    planned = [Batch(campaign_id=pk, size=size, now=moment) for pk, size in batches]
    return sum(lane.result.claimed for lane in send_round(planned, now))


def send_batch_task(campaign_id: int, size: int, clock: str | None = None) -> int:
    """One campaign's batch (queued by earlier versions; still accepted)."""
    now = datetime.fromisoformat(clock) if clock else None
    return send_batch(campaign_id, size, now=now).claimed


def enqueue_round(planned: Round, *, fixed_clock: bool = False) -> None:
    """Queues the round for a worker once the planning transaction has committed."""
    clock = planned.now.isoformat() if fixed_clock else None
    batches = [[batch.campaign_id, batch.size] for batch in planned.batches]
    transaction.on_commit(
        lambda: async_task("campaigns.tasks.send_round_task", batches, clock, group="send-round")
    )
