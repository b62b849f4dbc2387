from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SkylightConfig(AppConfig):
    name = "skylight"
    verbose_name = "SkyLight"

    def ready(self) -> None:
        from skylight.cache import create_cache_table

        post_migrate.connect(create_cache_table, dispatch_uid="skylight.create_cache_table")
