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


def _allows_private_network(env: dict) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "SKYLIGHT_TESTING")}
    clean.pop("SKYLIGHT_ALLOW_PRIVATE_NETWORK", None)
    probe = "from django.conf import settings; print(settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 50, **env},
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
