"""Settings come from the environment; production refuses development secrets and
passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "k3Jx9-production-secret-7Qw2mZ8vN4pL6rT1yU5iO0aS3dF7gH9jK2lX4cV6bN8m",
    "SKYLIGHT_ENCRYPTION_KEYS": "6rj3eC6b0Hq8lq3p6vYk1Dq2bE9hW0r7sT8uV1wX2yA=",
    "SKYLIGHT_API_KEY_PEPPER": "pepper-for-the-settings-tests",
}
OWN_VARIABLES = (
    # The browser tests set this in the test process; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "DJANGO_DEBUG",
    "SKYLIGHT_TESTING",
    "SKYLIGHT_ENCRYPTION_KEYS",
    "SKYLIGHT_API_KEY_PEPPER",
    "SKYLIGHT_HTTPS",
)


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _without(name: str) -> dict:
    return {k: v for k, v in PRODUCTION_ENV.items() if k != name}


def test_the_development_secret_key_is_refused_when_debug_is_off():
    result = _manage(_without("SECRET_KEY"))
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    result = _manage(_without("SKYLIGHT_ENCRYPTION_KEYS"))
    assert result.returncode != 0
    assert "Set SKYLIGHT_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_an_encryption_key_that_is_not_a_fernet_key():
    result = _manage({**PRODUCTION_ENV, "SKYLIGHT_ENCRYPTION_KEYS": "not-a-key"})
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr


def test_production_refuses_to_start_without_an_api_key_pepper():
    result = _manage(_without("SKYLIGHT_API_KEY_PEPPER"))
    assert result.returncode != 0
    assert "Set SKYLIGHT_API_KEY_PEPPER" in result.stderr


def test_a_real_secret_key_is_accepted_when_debug_is_off():
    result = _manage(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_the_deployment_checks_pass_without_a_warning_over_https():
    result = _manage({**PRODUCTION_ENV, "SKYLIGHT_HTTPS": "1"}, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNING" not in result.stderr + result.stdout


def test_the_embedded_sqlite_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    probe = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env={**clean, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["wal", "30000"], result.stderr


def test_the_api_key_pepper_comes_from_the_environment():
    probe = (
        "from skylight.models import api_key_digest; import hmac, hashlib; "
        "expected = hmac.new(b'pepper-from-env', b'sk_x', hashlib.sha256).hexdigest(); "
        "print(api_key_digest('sk_x') == expected)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "1", "SKYLIGHT_API_KEY_PEPPER": "pepper-from-env"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr


def test_keys_digested_with_another_pepper_no_longer_match(settings, alice):
    from skylight.services import api_key_create

    key, raw_key = api_key_create(account=alice)
    assert key.matches(raw_key)
    settings.SKYLIGHT_API_KEY_PEPPER = "a-different-pepper"
    assert not key.matches(raw_key)


# What production requires besides DJANGO_DEBUG=0 (tests/production starts it for real).
PRODUCTION_SECRETS = {
    "SECRET_KEY": "x" * 50,
    "SKYLIGHT_ENCRYPTION_KEYS": "iWkHq2mO9pRk4vJz4iG1Xq3dH5yU8tB2cN7eL0wA6sE=",
    "SKYLIGHT_API_KEY_PEPPER": "a-production-pepper",
}


def _allows_private_network(env: dict) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "SKYLIGHT_TESTING")}
    clean.pop("SKYLIGHT_ALLOW_PRIVATE_NETWORK", None)
    probe = "from django.conf import settings; print(settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env={**clean, **PRODUCTION_SECRETS, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() or result.stderr


def test_development_may_reach_a_gateway_on_this_machine():
    assert _allows_private_network({"DJANGO_DEBUG": "1"}) == "True"
    assert _allows_private_network({"DJANGO_DEBUG": "0"}) == "False"
    on = {"DJANGO_DEBUG": "0", "SKYLIGHT_ALLOW_PRIVATE_NETWORK": "1"}
    assert _allows_private_network(on) == "True"


def test_the_demo_sign_in_link_uses_the_web_port(tmp_path):
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SKYLIGHT_PUBLIC_URL")
    }
    env = {**clean, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env["SKYLIGHT_WEB_PORT"] = "8103"
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, **run)
    seeded = subprocess.run([sys.executable, "manage.py", "seed_demo", "--contacts", "3"], **run)
    assert "http://localhost:8103/login/" in seeded.stdout, seeded.stderr


def test_make_run_passes_its_port_to_the_settings():
    makefile = (ROOT / "Makefile").read_text()
    assert "export SKYLIGHT_WEB_PORT := $(PORT)" in makefile
