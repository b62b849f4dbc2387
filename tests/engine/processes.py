"""Running manage.py commands as separate processes against the test database."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a worker process pointed at this test's (committed) database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SKYLIGHT_TESTING": "1",
        "SKYLIGHT_ALLOW_PRIVATE_NETWORK": "1",
        "SKYLIGHT_HTTP_READ_TIMEOUT": str(settings.SKYLIGHT_HTTP_READ_TIMEOUT),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("TEST_DATABASE_NAME", None)
    return env


def manage(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=process_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 120) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output
