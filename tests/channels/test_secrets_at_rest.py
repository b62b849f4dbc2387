"""Provider secrets are stored encrypted (Fernet under SKYLIGHT_ENCRYPTION_KEYS) and keys
rotate: the raw column never holds a secret, and every stored secret still decrypts."""

import importlib
import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps as global_apps
from django.core.management import call_command
from django.db import connection

from channels import secrets
from channels.models import Channel
from channels.transports import TRANSPORTS
from tests.factories import make_channel
from tests.fakes.whatsapp import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_config(channel_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT config FROM {Channel._meta.db_table} WHERE id = %s", [channel_id])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else str(value)


def every_secret_config(provider: str) -> dict:
    return {name: f"plain-{provider}-{name}-value" for name in TRANSPORTS[provider].secret_fields}


def test_a_channel_created_through_the_api_keeps_no_plaintext_secret_in_the_database(api):
    config = {
        "phone_number_id": PHONE_NUMBER_ID,
        "access_token": ACCESS_TOKEN,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
    }
    body = {"name": "Main", "type": "whatsapp", "provider": "whatsapp_cloud", "config": config}
    response = api.post("/api/v1/channels", body, format="json")
    assert response.status_code == 201, response.json()

    channel_id = response.json()["data"]["id"]
    stored = raw_config(channel_id)
    for secret in (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN):
        assert secret not in stored
    assert PHONE_NUMBER_ID in stored  # settings that are not secret stay readable
    assert Channel.objects.get(pk=channel_id).config == config


@pytest.mark.parametrize("provider", sorted(p for p in TRANSPORTS if TRANSPORTS[p].secret_fields))
def test_every_secret_field_of_every_provider_is_encrypted(alice, provider):
    config = every_secret_config(provider)
    channel = make_channel(alice, provider=provider, config=config)

    stored = raw_config(channel.pk)
    assert secrets.MARKER in stored
    for value in config.values():
        assert value not in stored
    assert Channel.objects.get(pk=channel.pk).config == config


def test_update_and_bulk_update_encrypt_too(alice):
    channel = make_channel(alice, provider="webhook", config={"url": "https://gw.example.com"})

    Channel.objects.filter(pk=channel.pk).update(config={"url": "https://x", "secret": "s3cr3t-a"})
    assert "s3cr3t-a" not in raw_config(channel.pk)
    channel.config = {"url": "https://x", "secret": "s3cr3t-b"}
    Channel.objects.bulk_update([channel], ["config"])
    assert "s3cr3t-b" not in raw_config(channel.pk)
    assert Channel.objects.get(pk=channel.pk).config["secret"] == "s3cr3t-b"


def test_rotation_re_encrypts_under_the_first_key_so_the_old_key_can_go(alice, settings):
    settings.SKYLIGHT_ENCRYPTION_KEYS = [OLD_KEY]
    channel = make_channel(alice, provider="webhook", config={"url": "https://x", "secret": "r0t"})

    settings.SKYLIGHT_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # the new key first, the old kept
    assert Channel.objects.get(pk=channel.pk).config["secret"] == "r0t"  # old tokens decrypt
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "1 channels" in out.getvalue()

    settings.SKYLIGHT_ENCRYPTION_KEYS = [NEW_KEY]  # the old key removed
    assert Channel.objects.get(pk=channel.pk).config["secret"] == "r0t"
    settings.SKYLIGHT_ENCRYPTION_KEYS = [OLD_KEY]
    with pytest.raises(InvalidToken):
        Channel.objects.get(pk=channel.pk)


def test_without_rotation_a_removed_key_leaves_secrets_unreadable(alice, settings):
    settings.SKYLIGHT_ENCRYPTION_KEYS = [OLD_KEY]
    channel = make_channel(alice, provider="webhook", config={"url": "https://x", "secret": "r0t"})

    settings.SKYLIGHT_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(InvalidToken):
        Channel.objects.get(pk=channel.pk)


def test_the_migration_encrypts_secrets_stored_in_plaintext_before_it(alice):
    channel = make_channel(alice, provider="webhook", config={"url": "https://x"})
    plain = connection.ops.adapt_json_value({"url": "https://x", "secret": "old-plain"}, None)
    with connection.cursor() as cursor:
        table = Channel._meta.db_table
        cursor.execute(f"UPDATE {table} SET config = %s WHERE id = %s", [plain, channel.pk])
    assert "old-plain" in raw_config(channel.pk)

    migration = importlib.import_module("channels.migrations.0005_encrypt_channel_secrets")
    migration.seal_stored_secrets(global_apps, connection.schema_editor())

    assert "old-plain" not in raw_config(channel.pk)
    assert Channel.objects.get(pk=channel.pk).config["secret"] == "old-plain"
