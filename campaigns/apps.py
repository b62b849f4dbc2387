from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        # The schedule after migrate, metrics, and answers to contacts' and channels' news.
        from . import observability, receivers, signals  # noqa: F401
