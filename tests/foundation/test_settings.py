"""Settings come from the environment; the development secret is refused in production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_DEBUG")}
    clean.pop("SKYLIGHT_TESTING", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_development_secret_key_is_refused_when_debug_is_off():
    result = _check({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_a_real_secret_key_is_accepted_when_debug_is_off():
    result = _check({"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


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
