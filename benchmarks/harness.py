"""Benchmark plumbing: a throw-away, migrated database and a timer.

Benchmarks run against `DATABASE_URL` (PostgreSQL for the figures we report),
in a database of their own (`<name>_bench`) that is created and migrated first.
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager

RESULTS: list[tuple[str, str]] = []


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skylight.settings")
    os.environ.setdefault("SKYLIGHT_TESTING", "1")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, name = url.rpartition("/")
        bench_name = f"{name or 'skylight'}_bench"
        _ensure_postgres_database(url, bench_name)
        os.environ["DATABASE_URL"] = f"{base}/{bench_name}"
    import django

    django.setup()
    # Request logs of the local fake servers would bury the figures.
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _ensure_postgres_database(url: str, name: str) -> None:
    """Creates the bench database, connecting through the always-present `postgres` one."""
    import psycopg

    maintenance = f"{url.rpartition('/')[0]}/postgres"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def timed(label: str):
    """Times the block and prints the figure at once."""
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    report(label, f"{elapsed:.3f} s")


def median_ms(func, repeat: int = 25) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def report(label: str, figure: str) -> None:
    RESULTS.append((label, figure))
    print(f"  {label:<70} {figure}", flush=True)
    sys.stdout.flush()
