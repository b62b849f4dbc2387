"""Starting SkyLight's production process list (Procfile.production) for real.

Used by the production acceptance test and the API throughput benchmark: a fresh
PostgreSQL database, real secrets, the release step, gunicorn and qcluster workers, each
in its own process group so everything started is stopped afterwards.
"""

import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "Procfile.production"
# Variables of the test process that must not leak into production processes.
DROPPED = ("SKYLIGHT_TESTING", "TEST_DATABASE_NAME", "DJANGO_DEBUG", "SQLITE_TEST_NAME")


def procfile() -> dict[str, str]:
    """The commands of Procfile.production by process type."""
    lines = [line for line in PROCFILE.read_text().splitlines() if line.strip()]
    return dict(line.split(":", 1) for line in lines if not line.startswith("#"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_postgres_database(base_url: str, name: str) -> str:
    """Drops and re-creates database `name` on the server of `base_url`; returns its URL."""
    server = base_url.rpartition("/")[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def production_env(database_url: str, redis_url: str, workdir: Path, port: int, **extra) -> dict:
    """The environment of a production deployment with freshly made secrets."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    run_id = uuid.uuid4().hex[:12]
    env.update(
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SKYLIGHT_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SKYLIGHT_API_KEY_PEPPER=secrets.token_urlsafe(32),
        SKYLIGHT_METRICS_TOKEN=secrets.token_urlsafe(24),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SKYLIGHT_CACHE_PREFIX=f"skylight-run-{run_id}",
        SKYLIGHT_Q_CLUSTER_NAME=f"skylight-run-{run_id}",
        PROMETHEUS_MULTIPROC_DIR=str(workdir / "metrics"),
        SKYLIGHT_STATIC_ROOT=str(workdir / "static"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port}",
        PORT=str(port),
        HOST="127.0.0.1",
        **extra,
    )
    return env


@dataclass
class Deployment:
    """The processes of one running deployment and where it answers."""

    env: dict
    port: int
    log_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def release(self, timeout: float = 240) -> None:
        """Runs the release step to completion (migrate, collectstatic, the schedule)."""
        log = self.log_dir / "release.log"
        with log.open("w") as out:
            result = subprocess.run(
                procfile()["release"], shell=True, cwd=ROOT, env=self.env, stdout=out,
                stderr=subprocess.STDOUT, timeout=timeout,
            )  # fmt: skip
        assert result.returncode == 0, log.read_text()[-3000:]

    def start(self, kind: str, number: int = 1) -> None:
        """Starts a process of Procfile.production, in its own process group."""
        out = (self.log_dir / f"{kind}-{number}.log").open("w")
        self.processes.append(
            subprocess.Popen(
                procfile()[kind],
                shell=True,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        )

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            self.assert_alive()
            time.sleep(0.5)
        raise AssertionError(f"the web process did not answer: {self.logs()}")

    def assert_alive(self) -> None:
        for process in self.processes:
            assert process.poll() is None, f"a process exited early: {self.logs()}"

    def logs(self) -> str:
        return "\n".join(
            f"== {path.name}\n{path.read_text()[-2000:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )

    def stop(self) -> None:
        """Stops every process group this deployment started: TERM, then KILL."""
        for process in self.processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for process in self.processes:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)
        self.processes.clear()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
