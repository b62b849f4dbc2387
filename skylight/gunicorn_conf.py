"""gunicorn settings for the web process:

    gunicorn --config python:skylight.gunicorn_conf skylight.wsgi

Threaded workers (gthread): a request waiting on PostgreSQL leaves the other threads of
its process free. Every value can be changed from the environment (docs/deploy.md).
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
wsgi_app = "skylight.wsgi:application"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = None  # SkyLight logs one line per request itself (with its request id)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
control_socket_disable = True  # several web processes may share a host; none is needed
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A dead worker's live gauges leave the multiprocess metrics directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Imported here: prometheus_client picks its storage when first imported, which
        # must happen in each worker after the settings have chosen the directory.
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
