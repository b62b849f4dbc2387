from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class SkylightConfig(AppConfig):
    name = "skylight"
    verbose_name = "SkyLight"

    def ready(self) -> None:
        from skylight.api.authentication import recent_keys
        from skylight.cache import create_cache_table
        from skylight.models import Account, ApiKey

        post_migrate.connect(create_cache_table, dispatch_uid="skylight.create_cache_table")
        # A key revoked or an account changed in this process is seen by its next read.
        for model in (ApiKey, Account):
            for signal in (post_save, post_delete):
                signal.connect(
                    recent_keys.clear, sender=model, dispatch_uid=f"keys-{model}-{signal}"
                )
