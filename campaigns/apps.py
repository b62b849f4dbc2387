from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from . import observability, signals  # noqa: F401  (schedule after migrate; metrics)
