from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from skylight.models import Account, ApiKey
from skylight.services import api_key_create, api_key_revoke


def test_only_a_prefix_and_a_digest_are_stored(alice):
    key, raw_key = api_key_create(account=alice)
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw_key.startswith(f"sk_{stored.prefix}_")
    assert raw_key not in (stored.digest, stored.prefix, stored.name)
    assert len(stored.digest) == 64
    assert stored.matches(raw_key)
    assert not stored.matches(raw_key + "x")


def test_a_valid_key_authenticates_and_marks_last_used(alice):
    key, raw_key = api_key_create(account=alice)
    response = APIClient().get("/api/v1/account", HTTP_X_API_KEY=raw_key)
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used is not None


def test_last_used_is_written_at_most_once_a_minute(alice, django_assert_num_queries):
    key, raw_key = api_key_create(account=alice)
    client = APIClient(HTTP_X_API_KEY=raw_key)
    client.get("/api/v1/account")
    first = ApiKey.objects.get(pk=key.pk).last_used
    client.get("/api/v1/account")
    assert ApiKey.objects.get(pk=key.pk).last_used == first
    ApiKey.objects.filter(pk=key.pk).update(last_used=first - timedelta(minutes=2))
    client.get("/api/v1/account")
    assert ApiKey.objects.get(pk=key.pk).last_used > first


@pytest.mark.parametrize(
    "header",
    ["", "nonsense", "sk_deadbeef_not-a-real-secret", "sk_x_y", "Bearer sk_a_b"],
)
def test_unknown_or_malformed_keys_are_401_in_the_envelope(alice, header):
    response = APIClient().get("/api/v1/account", HTTP_X_API_KEY=header)
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False
    assert body["message"]


def test_a_right_prefix_with_a_wrong_secret_is_401(alice):
    key, raw_key = api_key_create(account=alice)
    forged = f"sk_{key.prefix}_{'A' * 43}"
    assert APIClient().get("/api/v1/account", HTTP_X_API_KEY=forged).status_code == 401


def test_no_key_at_all_is_401(alice):
    response = APIClient().get("/api/v1/account")
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_a_revoked_key_is_401(alice):
    key, raw_key = api_key_create(account=alice)
    client = APIClient(HTTP_X_API_KEY=raw_key)
    assert client.get("/api/v1/account").status_code == 200
    api_key_revoke(api_key=key)
    assert client.get("/api/v1/account").status_code == 401
    assert ApiKey.objects.get(pk=key.pk).revoked_at <= timezone.now()


def test_create_api_key_command_prints_the_key_alone_on_its_last_line(db, capsys):
    call_command("create_api_key", "--account", "Acme", "--create-account")
    raw_key = capsys.readouterr().out.strip().splitlines()[-1]
    account = Account.objects.get(name="Acme")
    assert account.subscription.plan is not None
    response = APIClient().get("/api/v1/account", HTTP_X_API_KEY=raw_key)
    assert response.json()["data"]["name"] == "Acme"


def test_create_api_key_command_refuses_a_missing_account_without_the_flag(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--create-account"):
        call_command("create_api_key", "--account", "Nobody")
    assert not Account.objects.filter(name="Nobody").exists()
