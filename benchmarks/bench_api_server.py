"""The API under a real server: gunicorn (2 workers x 4 threads, gthread) on PostgreSQL.

A 100,000-contact account (benchmarks/fixtures.py) is read over loopback HTTP by `wrk`
(Debian package `wrk`) with 32 connections for 20 s per endpoint, or by a Python load
generator (threads + httpx) when wrk is missing. Reported: requests/s, p50, p99 and the
count of errors (non-2xx answers and socket errors).

Each read is measured as production serves it (with the API read cache on Redis) and
again with the read cache off, when every request runs its queries and serializer; the
in-process figures (Django's CPU per request) are with the cache off too.

`BENCH_API_THREADS` sets the threads per worker (default 4); `BENCH_API_SECONDS` and
`BENCH_API_CONNECTIONS` change the run's length and width;
`BENCH_API_ROOT` serves another checkout of SkyLight (e.g. an older commit unpacked with
`git archive`) against the same database, for before/after figures from one run.
"""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection
from rest_framework.settings import api_settings

from benchmarks import fixtures
from benchmarks.harness import report
from skylight.cache import redis_reachable

ROOT = Path(os.environ.get("BENCH_API_ROOT") or Path(__file__).resolve().parent.parent)
SECONDS = int(os.environ.get("BENCH_API_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("BENCH_API_CONNECTIONS", "32"))
WORKERS = 2
THREADS = int(os.environ.get("BENCH_API_THREADS", "4"))


@dataclass
class Load:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="skylight.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # The throttle stays on, with a rate no benchmark reaches.
        SKYLIGHT_API_RATE="100000000/min",
        # Production's log level: one line per request is part of what a request costs.
        LOG_LEVEL="INFO",
    )
    env.pop("SKYLIGHT_TESTING", None)
    # Production shares the throttle's counters through Redis (docs/deploy.md); without
    # REDIS_URL the server would count every request in the database cache instead.
    if not env.get("REDIS_URL") and redis_reachable():
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        env["SKYLIGHT_CACHE_PREFIX"] = f"bench-api-{os.getpid()}"
    # Production refuses to start without these; the server must also hash API keys with
    # the pepper this process used to create the benchmark's key.
    env["SKYLIGHT_API_KEY_PEPPER"] = settings.SKYLIGHT_API_KEY_PEPPER
    env["SKYLIGHT_ENCRYPTION_KEYS"] = ",".join(settings.SKYLIGHT_ENCRYPTION_KEYS)
    return env


def _start_server(port: int, **extra_env: str) -> subprocess.Popen:
    # Production's own gunicorn settings (Procfile.production), sized from the environment
    # as a deployment sizes them; a checkout without them gets the same values by flag.
    command = [sys.executable, "-m", "gunicorn", "--config", "python:skylight.gunicorn_conf"]
    if not (ROOT / "skylight" / "gunicorn_conf.py").exists():
        command = [
            sys.executable, "-m", "gunicorn", "skylight.wsgi:application", "--config", "/dev/null",
            "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads", str(THREADS),
            "--worker-class", "gthread",
        ]  # fmt: skip
    env = _server_env()
    env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
        **extra_env,
    )
    # The release step's cache table (production's throttle cache without REDIS_URL).
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    # The request log goes to a file (shown if the server fails), not over the figures.
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log
    )
    server.log = log
    return server


def _wait_ready(base: str, key: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            server.log.seek(0)
            raise RuntimeError(f"gunicorn exited before answering:\n{server.log.read()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/v1/account", headers={"X-Api-Key": key}).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:  # it already exited (e.g. it failed to boot)
        return
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def _wrk(url: str, key: str) -> Load:
    command = [
        "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "10s",
        "-H", f"X-Api-Key: {key}", url,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return Load(rate, _ms(percentile["50"]), _ms(percentile["99"]), errors)


def _python_load(url: str, key: str) -> Load:
    """The fallback: CONNECTIONS threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + SECONDS
    lock = threading.Lock()

    def run():
        with httpx.Client(headers={"X-Api-Key": key}, timeout=10) as client:
            while time.monotonic() < stop:
                start = time.perf_counter()
                try:
                    ok = client.get(url).status_code < 400
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
                    errors[0] += not ok

    threads = [threading.Thread(target=run) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(latencies, n=100)
    return Load(len(latencies) / SECONDS, cuts[49], cuts[98], errors[0])


def _measure(base: str, key: str, label: str, path: str, note: str = "") -> None:
    url = f"{base}/api/v1{path}"
    for _ in range(20):  # warm both workers' imports and connections
        httpx.get(url, headers={"X-Api-Key": key})
    load = (_wrk if shutil.which("wrk") else _python_load)(url, key)
    report(
        f"gunicorn {WORKERS}x{THREADS}, {CONNECTIONS} conns{_tree_label()}{note}: GET {label}",
        f"{load.rate:,.0f} req/s  p50 {load.p50_ms:.0f} ms  p99 {load.p99_ms:.0f} ms  "
        f"errors {load.errors}",
    )


def _in_process(key: str, endpoints: dict) -> None:
    """Django's own cost per request, on one kept connection: CPU time is what a busy,
    shared machine changes least, so it compares code before and after honestly."""
    from django.test import Client

    client = Client(HTTP_X_API_KEY=key, HTTP_HOST="localhost")
    for label, path in endpoints.items():
        url = f"/api/v1{path}"
        for _ in range(10):
            assert client.get(url).status_code == 200
        cpu, wall, count = time.process_time(), time.perf_counter(), 100
        for _ in range(count):
            client.get(url)
        cpu_ms = (time.process_time() - cpu) * 1000 / count
        wall_ms = (time.perf_counter() - wall) * 1000 / count
        report(
            f"in-process{_tree_label()}: GET {label}",
            f"{cpu_ms:.1f} ms CPU/request  {wall_ms:.1f} ms wall",
        )


def _tree_label() -> str:
    return f" ({ROOT.name})" if os.environ.get("BENCH_API_ROOT") else ""


def main() -> None:
    if connection.vendor != "postgresql":
        print("  skipped: the API server benchmark needs PostgreSQL (DATABASE_URL)")
        return
    data = fixtures.api_account()
    campaign = data.campaign.pk
    endpoints = {
        "/campaigns/{id}": f"/campaigns/{campaign}",
        "/campaigns/{id}/contacts": f"/campaigns/{campaign}/contacts",
        "/contacts?per_page=100": "/contacts?per_page=100",
        "/account": "/account",
    }
    only = os.environ.get("BENCH_API_ONLY")
    endpoints = {label: path for label, path in endpoints.items() if not only or only in label}
    if not os.environ.get("BENCH_API_ROOT"):  # in-process runs this checkout's code only
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api_key": "100000000/min"},
        }
        api_settings.reload()
        settings.SKYLIGHT_API_READ_CACHE_SECONDS = 0
        _in_process(data.raw_key, endpoints)
    connection.close()
    _serve(data.raw_key, endpoints)
    # The same reads with the read cache off (skylight/read_cache.py): every request runs
    # its queries and serializer, as a client reading many different objects makes it.
    cached = {label: path for label, path in endpoints.items() if label != "/account"}
    _serve(data.raw_key, cached, " (read cache off)", SKYLIGHT_API_READ_CACHE_SECONDS="0")


def _serve(key: str, endpoints: dict, note: str = "", **extra_env: str) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(port, **extra_env)
    try:
        _wait_ready(base, key, server)
        for label, path in endpoints.items():
            _measure(base, key, label, path, note)
    finally:
        _stop_server(server)
