"""Installs the send-cycle and report-counts schedules after `migrate` (idempotent, by
name)."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

from skylight.schedules import schedule_install

SEND_CYCLE_SCHEDULE = "skylight-send-cycle"
SEND_CYCLE_FUNC = "campaigns.tasks.send_cycle_task"
REPORT_COUNTS_SCHEDULE = "skylight-report-counts"
REPORT_COUNTS_FUNC = "campaigns.tasks.report_counts_sweep_task"


def install_send_cycle_schedule(using: str = "default") -> None:
    """Creates or repairs the every-minute send-cycle schedule, keyed by its name."""
    schedule_install(name=SEND_CYCLE_SCHEDULE, func=SEND_CYCLE_FUNC, minutes=1, using=using)


def install_report_counts_schedule(using: str = "default") -> None:
    """Creates or repairs the sweep of the report's counts, every five minutes
    (campaigns/reports.py, `report_counts_sweep`)."""
    schedule_install(name=REPORT_COUNTS_SCHEDULE, func=REPORT_COUNTS_FUNC, minutes=5, using=using)


@receiver(post_migrate, dispatch_uid="campaigns.install_send_cycle_schedule")
def _after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    if sender.name == "campaigns":
        install_send_cycle_schedule(using)
        install_report_counts_schedule(using)
