"""Endpoint secrets rotate with the encryption keys, like channel secrets."""

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from channels.event_hooks.services import webhook_endpoint_create
from skylight.models import WebhookEndpoint

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_rotation_re_encrypts_endpoint_secrets_under_the_first_key(alice, settings):
    settings.SKYLIGHT_ENCRYPTION_KEYS = [OLD_KEY]
    secret = webhook_endpoint_create(
        account=alice, url="https://example.com/h", events=["contact.sent"]
    ).secret

    settings.SKYLIGHT_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "1 webhook endpoints" in out.getvalue()

    settings.SKYLIGHT_ENCRYPTION_KEYS = [NEW_KEY]
    assert WebhookEndpoint.objects.get().secret == secret
    settings.SKYLIGHT_ENCRYPTION_KEYS = [OLD_KEY]
    with pytest.raises(InvalidToken):
        WebhookEndpoint.objects.get()
