from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    label = "messaging_channels"
    verbose_name = "Channels"

    def ready(self):
        from . import openapi  # noqa: F401  registers the `config` schema extension
        from .event_hooks import schedule  # noqa: F401  the webhook sweep after migrate
