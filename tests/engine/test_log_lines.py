"""One log line per request and per send batch, carrying the request, account and campaign
ids; LOG_FORMAT=json makes every line a JSON object."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from skylight.observability import ContextFilter
from tests.engine.helpers import cycle, start_campaign
from tests.factories import make_channel

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines():
    """Collects what the skylight loggers write, formatted as production's JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    options = dict(settings.LOGGING["formatters"]["json"])
    options.pop("()")
    options["fmt"] = options.pop("format")  # as logging.config passes it
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("skylight")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_an_api_request_logs_one_line_with_its_ids(api, alice, json_lines, fake_gateway):
    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    campaign = start_campaign(alice, contacts=3, at=datetime(2027, 3, 1, tzinfo=UTC))

    response = api.get(f"/api/v1/campaigns/{campaign.pk}", HTTP_X_REQUEST_ID="trace-abc-123")

    assert response["X-Request-ID"] == "trace-abc-123"
    lines = [line for line in json_lines() if line["logger"] == "skylight.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "trace-abc-123"
    assert (line["account_id"], line["campaign_id"]) == (alice.pk, campaign.pk)
    assert (line["method"], line["status"], line["path"]) == (
        "GET",
        200,
        response.request["PATH_INFO"],
    )
    assert channel.pk  # the campaign's channel exists; nothing was sent


def test_a_send_batch_logs_one_summary_line_with_account_and_campaign(
    alice, json_lines, fake_gateway
):
    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    start = datetime(2027, 3, 1, tzinfo=UTC)
    campaign = start_campaign(alice, contacts=6, at=start, channel=channel)

    cycle(start.replace(hour=23, minute=59))

    summaries = [line for line in json_lines() if "batch done" in line["message"]]
    assert len(summaries) == 1
    assert (summaries[0]["account_id"], summaries[0]["campaign_id"]) == (alice.pk, campaign.pk)
    per_contact = [line for line in json_lines() if "contact=" in line["message"]]
    assert per_contact and all(line["campaign_id"] == campaign.pk for line in per_contact)


def test_log_format_json_turns_every_line_into_json():
    env = {**os.environ, "DJANGO_DEBUG": "1", "LOG_FORMAT": "json"}
    probe = "import logging; logging.getLogger('skylight.probe').warning('hello %s', 'there')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "skylight.probe",
        "hello there",
    )
    assert "time" in line
