"""`manage.py ensure_schedule`: install or repair the periodic schedules (send cycle and
webhook sweep every minute, report counts every five)."""

from django.core.management.base import BaseCommand

from campaigns.signals import (
    REPORT_COUNTS_SCHEDULE,
    SEND_CYCLE_SCHEDULE,
    install_report_counts_schedule,
    install_send_cycle_schedule,
)
from channels.event_hooks.schedule import WEBHOOK_SWEEP_SCHEDULE, install_webhook_sweep_schedule


class Command(BaseCommand):
    help = (
        "Creates the periodic schedules (send cycle, webhook sweep, report counts), or "
        "repairs them if they were changed (idempotent; part of the release step)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        install_send_cycle_schedule(database)
        install_webhook_sweep_schedule(database)
        install_report_counts_schedule(database)
        for name in (SEND_CYCLE_SCHEDULE, WEBHOOK_SWEEP_SCHEDULE, REPORT_COUNTS_SCHEDULE):
            self.stdout.write(f"Schedule {name!r} is in place.")
