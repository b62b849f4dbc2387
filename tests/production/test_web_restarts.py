"""The web process restarting its workers under load drops no connection.

Each gunicorn worker listens on its own socket (`reuse_port`) and restarts after
`GUNICORN_MAX_REQUESTS`; a worker leaving takes what the kernel queued on its socket
before closing it (skylight/gunicorn_worker.py). With gunicorn's own threaded worker,
clients reconnecting while a worker left were reset.
"""

import threading
from pathlib import Path

import httpx
import pytest

from tests.production.processes import Deployment, free_port, production_env

pytestmark = pytest.mark.production

CLIENTS = 16
REQUESTS = 150  # per client: each worker restarts about 25 times


def test_workers_restarting_under_load_drop_no_request(tmp_path: Path):
    from django.conf import settings

    db = settings.DATABASES["default"]
    port = free_port()
    env = production_env(
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "redis://127.0.0.1:6379/0",
        tmp_path,
        port,
        WEB_CONCURRENCY="2",
        GUNICORN_MAX_REQUESTS="50",
    )
    deployment = Deployment(env=env, port=port, log_dir=tmp_path)
    errors: list[str] = []
    answered: list[int] = []

    def client():
        with httpx.Client(base_url=deployment.url, timeout=10) as http:
            for _ in range(REQUESTS):
                try:
                    answered.append(http.get("/healthz").status_code)
                except httpx.TransportError as exc:
                    errors.append(repr(exc))

    try:
        deployment.start("web")
        deployment.wait_until_serving()
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        restarts = (tmp_path / "web-1.log").read_text().count("Autorestarting worker")
    finally:
        deployment.stop()

    assert restarts >= 10, deployment.logs()  # the workers really did restart meanwhile
    assert errors == [], errors[:5]
    assert answered == [200] * (CLIENTS * REQUESTS)
