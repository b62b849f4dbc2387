"""Installs the every-minute webhook sweep after `migrate` (idempotent, by name)."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

WEBHOOK_SWEEP_SCHEDULE = "skylight-webhook-sweep"
WEBHOOK_SWEEP_FUNC = "channels.event_hooks.tasks.deliveries_sweep_task"


def install_webhook_sweep_schedule(using: str = "default") -> None:
    """Creates or repairs the every-minute retry sweep of event webhooks, keyed by name."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=WEBHOOK_SWEEP_SCHEDULE,
        defaults={
            "func": WEBHOOK_SWEEP_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


@receiver(post_migrate, dispatch_uid="channels.install_webhook_sweep_schedule")
def _after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    if sender.name == "channels":
        install_webhook_sweep_schedule(using)
