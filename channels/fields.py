"""A JSON field whose secret settings are encrypted in the database (see secrets.py)."""

from django.db import models

from . import secrets


class SecretsJSONField(models.JSONField):
    """JSON with the secret settings sealed on every write and unsealed on every read.

    Sealing happens in `get_prep_value`, so `save()`, `update()`, `bulk_create()` and
    `bulk_update()` all store ciphertext; instances always hold plain settings.
    """

    def get_prep_value(self, value):
        return super().get_prep_value(secrets.seal(value))

    def from_db_value(self, value, expression, connection):
        return secrets.unseal(super().from_db_value(value, expression, connection))
