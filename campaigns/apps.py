from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        # Installs the send-cycle schedule after migrate; answers contacts' and channels' news.
        from . import receivers, signals  # noqa: F401
