"""The API rate limit lives in the shared cache: two processes hammering one key together
get exactly the limit through, on the database cache and on Redis."""

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from skylight.services import account_create, api_key_create
from tests.engine.processes import process_env

ROOT = Path(__file__).resolve().parents[2]
LIMIT, PER_PROCESS = 7, 12

# Each process waits for the same start moment, then sends PER_PROCESS requests with the
# key and prints how many got through (200) and how many were throttled (429).
HAMMER = """
import os, time
from django.test import Client
time.sleep(max(0, float(os.environ["START_AT"]) - time.time()))
client = Client(HTTP_X_API_KEY=os.environ["KEY"], HTTP_HOST="localhost")
codes = [client.get("/api/v1/account").status_code for _ in range(int(os.environ["N"]))]
print(codes.count(200), codes.count(429))
"""


def redis_up() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def shared_database(tmp_path, transactional_db):
    """(environment, API key) of a database that processes outside this test can use."""
    if connection.vendor == "postgresql":
        env = process_env()
        _, key = api_key_create(account=account_create(name="Throttled"))
    else:
        env = process_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
        _run(env, "migrate", "-v", "0")
        key = _run(env, "create_api_key", "--account", "Throttled", "--create-account")
        key = key.strip().splitlines()[-1]
    _run({**env, "SKYLIGHT_DATABASE_CACHE": "1"}, "createcachetable")
    return env, key


def _run(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def hammer_from_two_processes(env: dict, key: str) -> tuple[int, int]:
    env = {**env, "SKYLIGHT_API_RATE": f"{LIMIT}/day", "KEY": key, "N": str(PER_PROCESS)}
    env["START_AT"] = str(time.time() + 6)  # both processes are up by then
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", HAMMER],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    passed = throttled = 0
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        ok, too_many = map(int, out.split()[-2:])
        passed, throttled = passed + ok, throttled + too_many
    return passed, throttled


def test_two_processes_on_the_database_cache_let_the_limit_through_in_total(shared_database):
    env, key = shared_database
    passed, throttled = hammer_from_two_processes({**env, "SKYLIGHT_DATABASE_CACHE": "1"}, key)
    assert (passed, throttled) == (LIMIT, 2 * PER_PROCESS - LIMIT)


@pytest.mark.skipif(not redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_processes_on_redis_let_the_limit_through_in_total(shared_database):
    env, key = shared_database
    redis_env = {
        **env,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SKYLIGHT_CACHE_PREFIX": f"test-throttle-{uuid.uuid4().hex}",
        "SKYLIGHT_Q_CLUSTER_NAME": f"test-throttle-{uuid.uuid4().hex}",
    }
    passed, throttled = hammer_from_two_processes(redis_env, key)
    assert (passed, throttled) == (LIMIT, 2 * PER_PROCESS - LIMIT)
