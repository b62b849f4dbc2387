"""Installs the every-minute webhook sweep after `migrate` (idempotent, by name)."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

from skylight.schedules import schedule_install

WEBHOOK_SWEEP_SCHEDULE = "skylight-webhook-sweep"
WEBHOOK_SWEEP_FUNC = "channels.event_hooks.tasks.deliveries_sweep_task"


def install_webhook_sweep_schedule(using: str = "default") -> None:
    """Creates or repairs the every-minute retry sweep of event webhooks, keyed by name."""
    schedule_install(name=WEBHOOK_SWEEP_SCHEDULE, func=WEBHOOK_SWEEP_FUNC, minutes=1, using=using)


@receiver(post_migrate, dispatch_uid="channels.install_webhook_sweep_schedule")
def _after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    if sender.name == "channels":
        install_webhook_sweep_schedule(using)
