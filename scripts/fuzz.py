"""Fuzz the API with schemathesis against a real server on a fresh PostgreSQL database.

    python scripts/fuzz.py [--max-examples N] [--seed S] [--max-time SECONDS]

Creates a throwaway database on the server of PG_URL (or DATABASE_URL), migrates it,
seeds one account (API key, channels, contacts, lists, a segment, campaigns: in a fresh
database each resource has ids 1, 2, ..., which `scripts/schemathesis.toml` feeds to the
generated requests), serves the site with `runserver` on a free port with DEBUG off, and
runs every schemathesis check over all phases (examples, coverage, fuzzing, stateful).
Exits with schemathesis's status: non-zero on any failure. `make fuzz` runs it long,
`scripts/test.sh` short.
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONFIG = ROOT / "scripts" / "schemathesis.toml"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def main() -> int:
    options = parse_args()
    if options.seed_only:
        print(json.dumps(seed()))
        return 0
    database_url = fresh_database_url()
    env = server_env(database_url)
    create_database(database_url)
    server = None
    try:
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        seeded = json.loads(run([PYTHON, __file__, "--seed-only"], env).strip().splitlines()[-1])
        port = free_port()
        server = start_server(port, env)
        return schemathesis(options, port, seeded["api_key"])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(database_url)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--max-time", type=int, default=None, help="overall budget (seconds)")
    parser.add_argument("--workers", default="1")
    parser.add_argument(
        "--phases", default="examples,coverage,fuzzing,stateful", help="schemathesis phases"
    )
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def fresh_database_url() -> str:
    base = os.environ.get("PG_URL") or os.environ.get("DATABASE_URL") or DEFAULT_PG
    parts = urlsplit(base)
    name = f"skylight_fuzz_{os.getpid()}_{secrets.token_hex(3)}"
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(database_url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement)


def create_database(database_url: str) -> None:
    _admin(database_url, f'CREATE DATABASE "{urlsplit(database_url).path[1:]}"')


def drop_database(database_url: str) -> None:
    name = urlsplit(database_url).path[1:]
    _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str) -> dict:
    """Production-like settings (DEBUG off), no throttling, providers unreachable on purpose.

    With Redis up, the server uses it as production does, so the API read cache is on and
    the stateful phase's write-then-read sequences run through it (under a prefix and a
    task cluster name of this run's own)."""
    sys.path.insert(0, str(ROOT))
    from skylight.cache import redis_reachable

    dead_end = "http://127.0.0.1:9"  # discard port: nothing listens, so sends fail fast
    run_id = secrets.token_hex(4)
    redis = (
        {
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "SKYLIGHT_CACHE_PREFIX": f"fuzz-{run_id}",
            "SKYLIGHT_Q_CLUSTER_NAME": f"fuzz-{run_id}",
        }
        if redis_reachable()
        else {}
    )
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        # Production refuses to start without these (docs/deploy.md): fresh ones per run.
        "SKYLIGHT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SKYLIGHT_API_KEY_PEPPER": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SKYLIGHT_API_RATE": "1000000/min",
        "SKYLIGHT_DEFAULT_OUTREACH_CAMPAIGNS": "1000000",
        "SKYLIGHT_WHATSAPP_API_BASE": dead_end,
        "SKYLIGHT_TELEGRAM_API_BASE": dead_end,
        "SKYLIGHT_TWILIO_API_BASE": dead_end,
        "SKYLIGHT_HTTP_CONNECT_TIMEOUT": "1",
        "SKYLIGHT_HTTP_READ_TIMEOUT": "2",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **redis,
    }


def run(command: list[str], env: dict) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, env: dict) -> subprocess.Popen:
    log = open(ROOT / "schemathesis-report" / "server.log", "w") if _report_dir() else None
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/schema/", timeout=5)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server exited before answering") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer within 60 s")


def _report_dir() -> Path:
    path = ROOT / "schemathesis-report"
    path.mkdir(exist_ok=True)
    return path


def schemathesis(options, port: int, api_key: str) -> int:
    command = [
        str(Path(PYTHON).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"http://127.0.0.1:{port}/api/v1/schema/",
        "--url",
        f"http://127.0.0.1:{port}",
        "--checks",
        "all",
        "--phases",
        options.phases,
        "--max-examples",
        str(options.max_examples),
        "--seed",
        str(options.seed),
        "--workers",
        str(options.workers),
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(_report_dir()),
    ]
    if options.max_time:
        command += ["--max-time", str(options.max_time)]
    print("$", " ".join(command), flush=True)
    env = {**os.environ, "SKYLIGHT_FUZZ_API_KEY": api_key}
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def seed() -> dict:
    """One account with a few of everything; run in a fresh database, so ids start at 1."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skylight.settings")
    import django

    django.setup()
    from campaigns.services import campaign_create
    from channels.services import channel_create
    from contacts.services import contact_create, list_add_contacts, list_create, segment_create
    from skylight.services import account_create, api_key_create

    account = account_create(name="Fuzz Co", timezone_name="UTC")
    _, raw_key = api_key_create(account=account, name="schemathesis")
    channels = [
        channel_create(account=account, name=f"Console {kind}", type=kind, provider="console")
        for kind in ("whatsapp", "telegram", "sms")
    ]
    contacts = [
        contact_create(
            account=account,
            phone=f"+96650{index:07d}",
            name=f"Contact {index}",
            tags=["vip"] if index % 2 else [],
            attributes={"city": "Riyadh"},
        )
        for index in range(1, 9)
    ]
    lists = [list_create(account=account, name=f"List {index}") for index in range(1, 4)]
    for contact_list in lists:
        list_add_contacts(contact_list=contact_list, contact_ids=[c.pk for c in contacts])
    rules = {"match": "all", "conditions": [{"field": "tags", "op": "contains", "value": "vip"}]}
    segments = [segment_create(account=account, name=f"VIP {i}", rules=rules) for i in (1, 2, 3)]
    message = [{"type": "text", "content": "Hello {{name|there}}"}]
    for index in range(1, 4):
        campaign_create(
            account=account,
            name=f"Campaign {index}",
            channel=channels[0],
            messages=message,
            contact_ids=[c.pk for c in contacts],
            list_ids=[lists[0].pk],
            segment_ids=[segments[0].pk],
        )
    from skylight.events import EVENT_TYPES
    from skylight.models import WebhookEndpoint

    for index in range(1, 4):  # stored directly: the guard would resolve names (no network)
        WebhookEndpoint.objects.create(
            account=account,
            url=f"https://hooks{index}.example.com/skylight",
            events=list(EVENT_TYPES),
            secret=f"whsec_fuzz{index}",
        )
    return {"api_key": raw_key}


if __name__ == "__main__":
    sys.exit(main())
