"""django-q2 tasks of the send engine: each loads by id and calls the engine; each is
harmless to run twice (every claim and every outcome is a conditional update)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from campaigns.engine import Batch, run_cycle, send_batch


def send_cycle_task() -> int:
    """The every-minute schedule: plan on the real clock, fan batches out to workers."""
    return run_cycle(timezone.now(), enqueue=enqueue_batch).planned


def send_batch_task(campaign_id: int, size: int, clock: str | None = None) -> int:
    """Sends one planned batch; `clock` (ISO 8601) fixes the time for simulations."""
    now = datetime.fromisoformat(clock) if clock else None
    return send_batch(campaign_id, size, now=now).claimed


def enqueue_batch(batch: Batch, *, fixed_clock: bool = False) -> None:
    """Queues the batch for the workers once the planning transaction has committed."""
    clock = batch.now.isoformat() if fixed_clock else None
    transaction.on_commit(
        lambda: async_task(
            "campaigns.tasks.send_batch_task",
            batch.campaign_id,
            batch.size,
            clock,
            group=f"campaign-{batch.campaign_id}",
        )
    )
