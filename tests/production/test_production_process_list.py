"""The production configuration, started for real and used through HTTP only.

Procfile.production's release step, then its `web` (gunicorn, 2 workers) and two
`worker` processes (qcluster) on PostgreSQL and Redis, with DEBUG off and real secrets.
An API key holder connects a gateway channel (a local fake gateway), adds contacts,
creates and starts a campaign; the scheduled send cycle must deliver the first day's
messages to the gateway. Then the operational surface: static files with far-future
caching, /readyz, /metrics behind its token, and the login lockout.
"""

import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from .processes import (
    ROOT,
    Deployment,
    free_port,
    fresh_postgres_database,
    production_env,
)

pytestmark = pytest.mark.production

CONTACTS = 9  # day 1: min(35, ceil(9 / 3)) = 3 contacts
FIRST_DAY = 3
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    from django.conf import settings

    base_url = _database_url(settings.DATABASES["default"])
    name = f"{settings.DATABASES['default']['NAME']}_production_e2e".removeprefix("test_")
    workdir = tmp_path_factory.mktemp("production")
    port = free_port()
    env = production_env(
        fresh_postgres_database(base_url, name),
        REDIS_URL,
        workdir,
        port,
        WEB_CONCURRENCY="2",
        SKYLIGHT_WORKERS="1",
        SKYLIGHT_ALLOW_PRIVATE_NETWORK="1",  # the fake gateway listens on 127.0.0.1
        SKYLIGHT_LOGIN_FAILURE_LIMIT="3",
        SKYLIGHT_CONTACT_GAP_SECONDS="1",
    )
    deployment = Deployment(env=env, port=port, log_dir=workdir)
    try:
        deployment.release()
        deployment.start("web")
        deployment.start("worker", 1)
        deployment.start("worker", 2)
        deployment.wait_until_serving()
        yield deployment
    finally:
        deployment.stop()


def _database_url(db: dict) -> str:
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    server = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{server}/postgres"


def api_key(deployment: Deployment) -> str:
    """The one step outside HTTP: an operator makes the account's first API key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", "--account", "Shop", "--create-account"],
        cwd=ROOT,
        env=deployment.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def midday_timezone() -> str:
    """A fixed-offset zone where it is about noon now, so a window from 00:00 to a few
    minutes from now is almost over and its pacing allows the whole day's sends."""
    offset = 12 - datetime.now(UTC).hour  # -11 .. +12
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


def window_end(tz_name: str) -> str:
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo(tz_name)) + timedelta(minutes=4)).strftime("%H:%M")


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()["data"]


def test_the_production_process_list_sends_and_can_be_operated(deployment, fake_gateway):
    api = httpx.Client(
        base_url=f"{deployment.url}/api/v1", headers={"X-Api-Key": api_key(deployment)}
    )
    channel = ok(
        api.post(
            "/channels",
            json={
                "name": "Gateway",
                "type": "whatsapp",
                "provider": "webhook",
                "config": fake_gateway.channel_config(),
            },
        ),
        201,
    )
    contact_ids = [
        ok(api.post("/contacts", json={"name": f"Person {i}", "phone": f"+96650100{i:04d}"}), 201)[
            "id"
        ]
        for i in range(CONTACTS)
    ]
    tz = midday_timezone()
    campaign = ok(
        api.post(
            "/campaigns",
            json={
                "name": "Launch",
                "channel_id": channel["id"],
                "contact_ids": contact_ids,
                "messages": [{"type": "text", "content": "Hello {{first_name}}"}],
                "timezone": tz,
                "send_window": {"start": "00:00", "end": window_end(tz)},
            },
        ),
        201,
    )
    ok(api.post(f"/campaigns/{campaign['id']}/start"))

    _wait_for(lambda: len(fake_gateway.requests) >= FIRST_DAY, deployment, timeout=100)
    time.sleep(2)  # nothing beyond the day's limit follows
    assert len(fake_gateway.requests) == FIRST_DAY
    assert all(fake_gateway.signature_valid(request) for request in fake_gateway.requests)
    assert ok(api.get(f"/campaigns/{campaign['id']}"))["messages_sent_today"] == FIRST_DAY

    web = httpx.Client(base_url=deployment.url)
    _static_files_are_hashed_and_cached_for_a_year(web)
    _ready_and_metered(web, deployment.env["SKYLIGHT_METRICS_TOKEN"])
    _login_locks_out_after_three_failures(web)
    deployment.assert_alive()


def _wait_for(condition, deployment: Deployment, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        deployment.assert_alive()
        assert time.monotonic() < deadline, f"timed out; logs:\n{deployment.logs()}"
        time.sleep(0.5)


def _static_files_are_hashed_and_cached_for_a_year(web: httpx.Client) -> None:
    page = web.get("/login/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text).group(1)
    htmx = re.search(r'src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js)"', page.text).group(1)
    for path in (stylesheet, htmx):
        response = web.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))
        assert max_age >= 365 * 24 * 3600
        assert response.headers.get("Content-Encoding") == "gzip"


def _ready_and_metered(web: httpx.Client, token: str) -> None:
    ready = web.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert web.get("/metrics").status_code == 401
    text = web.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text
    sent = re.search(r'skylight_sends_total\{outcome="sent",provider="webhook"\} (\S+)', text)
    assert sent and float(sent.group(1)) == FIRST_DAY, text
    assert re.search(r"skylight_send_cycle_duration_seconds_count (\S+)", text)
    assert "skylight_http_requests_total" in text


def _login_locks_out_after_three_failures(web: httpx.Client) -> None:
    for attempt in range(4):
        form = web.get("/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        response = web.post(
            "/login/",
            data={"username": "owner", "password": f"wrong-{attempt}", "csrfmiddlewaretoken": csrf},
        )
        if attempt < 2:
            assert response.status_code == 200 and "Sign-in locked" not in response.text
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
