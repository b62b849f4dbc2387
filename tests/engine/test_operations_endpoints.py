"""/healthz, /readyz and /metrics: readiness names what fails; metrics need the token and
count sends by provider and outcome, webhooks by result, and the engine's state."""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.cache import cache

from skylight import metrics
from tests.engine.helpers import cycle, start_campaign
from tests.factories import make_channel
from tests.fakes.gateway import skylight_headers

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-tests-0123456789"
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def scrape(client, token=TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/metrics", **headers)


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return 0.0


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_503_naming_the_send_cycle_until_one_has_run(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert list(response.json()["failing"]) == ["send_cycle"]
    assert "send_cycle" in response.json()["message"]

    cycle(datetime.now(UTC))

    assert client.get("/readyz").status_code == 200


def test_readyz_fails_when_the_last_cycle_is_older_than_three_minutes(client):
    cache.set(metrics.LAST_CYCLE_KEY, time.time() - 181)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "181 s ago" in response.json()["failing"]["send_cycle"]


def test_readyz_names_an_unreachable_database_and_broker(tmp_path):
    probe = (
        "from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/readyz'); print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = result.stdout.split(" ", 1)
    assert status == "503", result.stderr
    assert set(json.loads(body)["failing"]) == {"database", "broker", "send_cycle"}


def test_metrics_are_refused_without_a_configured_token(client, settings):
    settings.SKYLIGHT_METRICS_TOKEN = ""
    assert scrape(client).status_code == 403


def test_metrics_need_the_bearer_token(client, settings):
    settings.SKYLIGHT_METRICS_TOKEN = TOKEN
    assert scrape(client, token=None).status_code == 401
    assert scrape(client, token="wrong").status_code == 401
    assert scrape(client).status_code == 200


def test_metrics_count_sends_by_provider_and_outcome(client, settings, alice, fake_gateway):
    settings.SKYLIGHT_METRICS_TOKEN = TOKEN
    before = scrape(client).content.decode()
    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    start_campaign(alice, contacts=6, at=START, channel=channel)
    fake_gateway.then("ok").then("rejected").then("server_error")

    cycle(START.replace(hour=23, minute=59))  # late in the day: the whole day's 2 may go

    after = scrape(client).content.decode()
    sent = sample(after, "skylight_sends_total", provider="webhook", outcome="sent")
    failed = sample(after, "skylight_sends_total", provider="webhook", outcome="failed")
    assert sent - sample(before, "skylight_sends_total", provider="webhook", outcome="sent") == 1
    assert failed - sample(before, "skylight_sends_total", provider="webhook", outcome="failed")
    assert sample(after, "skylight_send_cycle_duration_seconds_count") >= 1
    assert 0 <= sample(after, "skylight_send_cycle_age_seconds") < 60
    assert sample(after, "skylight_claims_in_flight") == 0
    assert "skylight_task_queue_length" in after
    assert sample(after, "skylight_http_requests_total", method="GET", status="200") >= 1


def test_metrics_count_webhooks_by_provider_and_result(client, settings, alice):
    settings.SKYLIGHT_METRICS_TOKEN = TOKEN
    channel = make_channel(
        alice, provider="webhook", config={"url": "https://gw.example.com", "secret": "s" * 32}
    )
    url = f"/webhooks/{channel.webhook_token}/"
    before = scrape(client).content.decode()
    body = json.dumps({"events": []}).encode()

    client.post(url, body, content_type="application/json", HTTP_X_SKYLIGHT_SIGNATURE="bad")
    client.post(
        url, body, content_type="application/json", **skylight_headers(body, secret="s" * 32)
    )

    after = scrape(client).content.decode()
    for result in ("rejected", "accepted"):
        labels = {"provider": "webhook", "result": result}
        assert (
            sample(after, "skylight_webhooks_total", **labels)
            - sample(before, "skylight_webhooks_total", **labels)
            == 1
        )
