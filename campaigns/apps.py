from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (installs the send-cycle schedule after migrate)
