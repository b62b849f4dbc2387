"""Installs the send-cycle and report-counts schedules after `migrate` (idempotent, by
name)."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

SEND_CYCLE_SCHEDULE = "skylight-send-cycle"
SEND_CYCLE_FUNC = "campaigns.tasks.send_cycle_task"
REPORT_COUNTS_SCHEDULE = "skylight-report-counts"
REPORT_COUNTS_FUNC = "campaigns.tasks.report_counts_sweep_task"


def install_send_cycle_schedule(using: str = "default") -> None:
    """Creates or repairs the every-minute send-cycle schedule, keyed by its name."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=SEND_CYCLE_SCHEDULE,
        defaults={
            "func": SEND_CYCLE_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


def install_report_counts_schedule(using: str = "default") -> None:
    """Creates or repairs the sweep of the report's counts, every five minutes
    (campaigns/reports.py, `report_counts_sweep`)."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=REPORT_COUNTS_SCHEDULE,
        defaults={
            "func": REPORT_COUNTS_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": 5,
            "repeats": -1,
        },
    )


@receiver(post_migrate, dispatch_uid="campaigns.install_send_cycle_schedule")
def _after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    if sender.name == "campaigns":
        install_send_cycle_schedule(using)
        install_report_counts_schedule(using)
