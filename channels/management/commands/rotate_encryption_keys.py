"""`manage.py rotate_encryption_keys`: re-encrypt every channel secret and webhook endpoint
secret under the first key."""

from django.core.management.base import BaseCommand
from django.db import transaction

from channels.models import Channel
from skylight.models import WebhookEndpoint


def reseal(channel_id: int) -> None:
    """Reads the config (any key decrypts) and writes it back (the first key encrypts),
    holding the row so an edit made meanwhile is not overwritten."""
    with transaction.atomic():
        channel = Channel.objects.select_for_update().only("pk", "config").filter(pk=channel_id)
        channel = channel.first()
        if channel is not None:  # not deleted meanwhile
            Channel.objects.filter(pk=channel_id).update(config=channel.config)


def reseal_endpoint(endpoint_id: int) -> None:
    """The same for a webhook endpoint's signing secret."""
    with transaction.atomic():
        rows = WebhookEndpoint.objects.select_for_update().only("pk", "secret")
        endpoint = rows.filter(pk=endpoint_id).first()
        if endpoint is not None:
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(secret=endpoint.secret)


class Command(BaseCommand):
    help = (
        "Re-encrypts every stored channel and webhook endpoint secret under the first key of "
        "SKYLIGHT_ENCRYPTION_KEYS. Run it after putting a new key first; once it has "
        "finished, the old keys can be removed."
    )

    def handle(self, *args, **options):
        ids = list(Channel.objects.values_list("pk", flat=True))
        for channel_id in ids:
            reseal(channel_id)
        self.stdout.write(f"Re-encrypted the secrets of {len(ids)} channels under the first key.")
        endpoint_ids = list(WebhookEndpoint.objects.values_list("pk", flat=True))
        for endpoint_id in endpoint_ids:
            reseal_endpoint(endpoint_id)
        self.stdout.write(
            f"Re-encrypted the secrets of {len(endpoint_ids)} webhook endpoints "
            "under the first key."
        )
