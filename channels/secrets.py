"""The encrypted-secrets layer of a channel's config JSON.

Every setting that some transport lists in `secret_fields` is stored as
`{"$fernet": "<token>"}` instead of its value, so a provider added to the registry is
covered by naming its secrets there, with no change here. Loading turns each token back
into its value; code above the model only ever sees plain settings.
"""

from typing import Any

from skylight import crypto

from .transports import TRANSPORTS

MARKER = "$fernet"


def secret_names() -> frozenset[str]:
    """Setting names that are secret for any provider (sealed whatever the provider)."""
    return frozenset(name for t in TRANSPORTS.values() for name in t.secret_fields)


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {MARKER}


def seal(config: Any) -> Any:
    """The config as stored: secret values replaced by tokens under the first key."""
    if not isinstance(config, dict):
        return config
    names = secret_names()
    return {key: _sealed(value) if key in names else value for key, value in config.items()}


def unseal(config: Any) -> Any:
    """The config as used: every token replaced by its value (any configured key)."""
    if is_sealed(config):  # a single setting read through a key transform
        return crypto.decrypt(config[MARKER])
    if not isinstance(config, dict):
        return config
    return {key: unseal(value) if is_sealed(value) else value for key, value in config.items()}


def _sealed(value: Any) -> Any:
    if is_sealed(value) or value in (None, ""):
        return value
    return {MARKER: crypto.encrypt(str(value))}
