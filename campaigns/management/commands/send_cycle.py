"""`manage.py send_cycle [--now ISO8601] [--enqueue]`: one send cycle, inline by default."""

from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaigns.engine import BatchResult, run_cycle, send_round
from campaigns.engine.batches import sum_results
from campaigns.tasks import enqueue_round


def parse_now(value: str | None) -> datetime:
    if not value:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        message = f"--now must be ISO 8601, e.g. 2026-01-31T09:30:00+03:00: {exc}"
        raise CommandError(message) from exc
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class Command(BaseCommand):
    help = (
        "Runs one send cycle: plans the running campaigns that may send now and sends their "
        "batches in this process (or queues them for qcluster workers with --enqueue)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="The clock for this cycle (ISO 8601); default: now.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the batches for the workers."
        )
        parser.add_argument(
            "--repeat", type=int, default=1, help="Run this many cycles (a simulation)."
        )
        parser.add_argument(
            "--step", type=float, default=60, help="Seconds the clock advances between cycles."
        )

    def handle(self, *args, now=None, enqueue=False, repeat=1, step=60, **options):
        start = parse_now(now)
        fixed = now is not None or repeat > 1
        for index in range(max(repeat, 1)):
            self._cycle(start + timedelta(seconds=index * step), fixed=fixed, enqueue=enqueue)

    def _cycle(self, moment: datetime, *, fixed: bool, enqueue: bool) -> None:
        total = BatchResult()
        if enqueue:
            report = run_cycle(moment, enqueue=lambda r: enqueue_round(r, fixed_clock=fixed))
        else:  # one round: every number of the cycle concurrently in this process
            report = run_cycle(moment, enqueue=lambda r: _add(total, r, fixed), workers=1)
        sent = (
            ""
            if enqueue
            else f"; sent {total.sent}, failed {total.failed}, "
            f"retry later {total.retried}, skipped {total.skipped}"
        )
        self.stdout.write(
            f"cycle at {moment.isoformat()}: {report.due} due, {report.planned} contacts in "
            f"{len(report.batches)} batches, {report.reaped} abandoned claims failed, "
            f"{report.completed} completed{sent}"
        )


def _add(total: BatchResult, planned, fixed: bool) -> None:
    lanes = send_round(list(planned.batches), now=planned.now if fixed else None)
    total.add(sum_results(lanes))
