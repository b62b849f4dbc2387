from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    label = "messaging_channels"
    verbose_name = "Channels"
