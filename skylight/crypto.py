"""Encryption of secrets at rest: Fernet under the keys of SKYLIGHT_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so keys rotate by putting a new key first,
running `manage.py rotate_encryption_keys`, then dropping the old key (docs/deploy.md).
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

__all__ = ["EncryptedTextField", "InvalidToken", "decrypt", "derived_key", "encrypt", "valid_key"]


def derived_key(secret: str) -> str:
    """A Fernet key derived from a secret: the development default, never for production."""
    digest = hashlib.sha256(f"skylight-encryption-key:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def valid_key(key: str) -> bool:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return False
    return True


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.SKYLIGHT_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """A token of `plaintext` under the first key."""
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """The plaintext of a token made under any configured key (InvalidToken otherwise)."""
    return _current().decrypt(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token under the current key; instances hold the plaintext.

    Used for secrets SkyLight must read back (e.g. to sign outgoing webhooks), so they
    cannot be stored as digests.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value
