"""`manage.py ensure_schedule`: install or repair the every-minute schedules (send cycle,
webhook sweep)."""

from django.core.management.base import BaseCommand

from campaigns.signals import SEND_CYCLE_SCHEDULE, install_send_cycle_schedule
from channels.event_hooks.schedule import WEBHOOK_SWEEP_SCHEDULE, install_webhook_sweep_schedule


class Command(BaseCommand):
    help = (
        "Creates the every-minute send-cycle schedule, or repairs it if it was changed "
        "(idempotent; part of the release step)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        install_send_cycle_schedule(database)
        install_webhook_sweep_schedule(database)
        self.stdout.write(f"Schedule {SEND_CYCLE_SCHEDULE!r} is in place.")
        self.stdout.write(f"Schedule {WEBHOOK_SWEEP_SCHEDULE!r} is in place.")
