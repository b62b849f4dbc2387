"""API throughput under the production web process: gunicorn (2 workers × 4 threads,
gthread) on PostgreSQL, an account of 100,000 contacts enrolled in one campaign.

Each endpoint is loaded for 20 s at 32 connections with `wrk` (Debian package; a Python
load generator stands in when it is missing), after a short warm-up: requests per
second, p50, p99 and errors (non-2xx answers and socket errors).
`SKYLIGHT_BENCH_LOAD_SECONDS` shortens the runs.
"""

import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from benchmarks import fixtures
from benchmarks.harness import report

ACCOUNT_NAME = "Benchmark: API throughput (100k)"
CONTACTS = 100_000
CONNECTIONS = 32
SECONDS = int(os.environ.get("SKYLIGHT_BENCH_LOAD_SECONDS", "20"))
WORKERS, THREADS = 2, 4


def _data():
    """The 100k-contact account, its channel and a campaign enrolling all of them."""
    from campaigns.models import Campaign, CampaignContact
    from campaigns.services import campaign_create
    from channels.models import Channel
    from contacts.models import Contact, ContactList, ListMembership
    from skylight.models import Account, Subscription
    from skylight.services import account_create

    account = Account.objects.filter(name=ACCOUNT_NAME).first()
    if account is None:
        print(f"  building {CONTACTS:,} contacts and a campaign (first run only)...", flush=True)
        with transaction.atomic():
            account = account_create(name=ACCOUNT_NAME)
            Channel.objects.create(
                account=account, name="Bench", type="whatsapp", provider="console"
            )
            fixtures._generate_contacts(account, 1, CONTACTS, "whatsapp", False)
            everyone = ContactList.objects.create(account=account, name="Everyone")
            ids = (
                Contact.objects.filter(account=account).order_by("id").values_list("id", flat=True)
            )
            fixtures._fill_list(everyone, account, ids.first(), ids.last())
        fixtures._vacuum_analyze(Contact, ListMembership)
    campaign = Campaign.objects.filter(account=account).first()
    if campaign is None:
        Subscription.objects.filter(account=account).update(outreach_campaigns_used=0)
        campaign = campaign_create(
            account=account,
            name="Throughput",
            channel=Channel.objects.get(account=account),
            messages=[{"type": "text", "content": "Hello {{name|there}}"}],
            list_ids=list(ContactList.objects.filter(account=account).values_list("pk", flat=True)),
        )
        fixtures._vacuum_analyze(CampaignContact)
    return account, campaign


def _deployment(workdir: Path):
    """gunicorn from Procfile.production on the benchmark database, with the secrets this
    process uses (so the API key made here is valid there)."""
    from tests.production.processes import Deployment, free_port, production_env

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = free_port()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = production_env(
        url,
        redis_url,
        workdir,
        port,
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
        SKYLIGHT_API_RATE="100000000/min",
        LOG_LEVEL="WARNING",
    )
    env["SKYLIGHT_API_KEY_PEPPER"] = settings.SKYLIGHT_API_KEY_PEPPER
    env["SKYLIGHT_ENCRYPTION_KEYS"] = ",".join(settings.SKYLIGHT_ENCRYPTION_KEYS)
    return Deployment(env=env, port=port, log_dir=workdir)


def _wrk(url: str, key: str, seconds: int) -> dict:
    import subprocess

    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",  # a slow answer counts in the latencies, not as an error
            "--latency",
            "-H",
            f"X-Api-Key: {key}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    non_2xx = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: (connect \d+, read \d+, write \d+, timeout \d+)", out)
    if socket:
        print(f"    wrk socket errors: {socket.group(1)}", flush=True)
    errors = non_2xx + sum(int(n) for n in re.findall(r"\d+", socket.group(1) if socket else ""))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1)),
        "errors": errors,
    }


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _python_load(url: str, key: str, seconds: int) -> dict:
    """Stand-in for wrk: CONNECTIONS threads, each with its own keep-alive connection."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def run():
        with httpx.Client(headers={"X-Api-Key": key}, timeout=10) as client:
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    ok = client.get(url).status_code < 400
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.monotonic() - started) * 1000)
                errors[0] += not ok

    threads = [threading.Thread(target=run) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[int(len(latencies) * 0.99)],
        "errors": errors[0],
    }


def main() -> None:
    if connection.vendor != "postgresql":
        print("  skipped: the throughput benchmark needs PostgreSQL (DATABASE_URL)")
        return
    from skylight.services import api_key_create

    account, campaign = _data()
    _, key = api_key_create(account=account, name="Throughput benchmark")
    load = _wrk if shutil.which("wrk") else _python_load
    tool = "wrk" if load is _wrk else "python loader"
    with tempfile.TemporaryDirectory() as workdir:
        deployment = _deployment(Path(workdir))
        try:
            deployment.release()
            deployment.start("web")
            deployment.wait_until_serving()
            for label in ("/campaigns/{id}", "/campaigns/{id}/contacts", "/contacts?per_page=100"):
                url = f"{deployment.url}/api/v1{label.replace('{id}', str(campaign.pk))}"
                load(url, key, 3)  # warm-up: connections, caches
                figures = load(url, key, SECONDS)
                report(
                    f"gunicorn {WORKERS}x{THREADS}, {CONNECTIONS} conn, {tool}: GET {label}",
                    f"{figures['rps']:.0f} req/s, p50 {figures['p50']:.0f} ms, "
                    f"p99 {figures['p99']:.0f} ms, {figures['errors']} errors",
                )
        finally:
            deployment.stop()
