"""Shared fixtures: two accounts (alice, bob) with API clients.

Objects are made by tests/factories.py; fake provider servers by tests/fakes/.
"""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from skylight.services import account_create
from tests.factories import api_client_for

# Fake provider servers (fake_whatsapp, fake_telegram, fake_twilio, fake_gateway).
pytest_plugins = ["tests.fakes.fixtures"]


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests need PostgreSQL: skipped on the SQLite run;
    `@pytest.mark.production` tests need PostgreSQL and Redis both."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    needs = {"postgres": on_postgres, "production": on_postgres and _redis_up()}
    for item in items:
        for marker, available in needs.items():
            if marker in item.keywords and not available:
                reason = "needs PostgreSQL (set DATABASE_URL)"
                if marker == "production":
                    reason = "needs PostgreSQL (DATABASE_URL) and Redis on 127.0.0.1:6379"
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL the test connections commit without waiting for the WAL to reach the
    disk (`synchronous_commit=off`): what a commit makes visible is the same, only a crash
    of the server could lose the last commits, of a database that is thrown away anyway."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = True
    settings.SKYLIGHT_IMPORT_STASH_DIR = str(tmp_path_factory.mktemp("imports"))
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def alice(db):
    return account_create(name="Alice Co", timezone_name="UTC")


@pytest.fixture
def bob(db):
    return account_create(name="Bob Ltd", timezone_name="Asia/Riyadh")


@pytest.fixture
def api(alice) -> APIClient:
    """An API client acting as alice's account."""
    return api_client_for(alice)


@pytest.fixture
def bob_api(bob) -> APIClient:
    return api_client_for(bob)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
