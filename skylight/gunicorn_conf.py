"""gunicorn settings for the web process:

    gunicorn --config python:skylight.gunicorn_conf skylight.wsgi

Threaded workers (gthread): a request waiting on PostgreSQL leaves the other threads of
its process free; a worker takes new connections only with a thread free, so they spread
over the workers (skylight/gunicorn_worker.py). Every value can be changed from the
environment (docs/deploy.md).
"""

import gc
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
wsgi_app = "skylight.wsgi:application"
worker_class = "skylight.gunicorn_worker.ThreadWorker"
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


def post_worker_init(worker):
    """Once the application and its views are loaded, their objects (hundreds of
    thousands: Django, the URL and serializer trees) leave the garbage collector's view,
    and young collections run less often. A full collection walked them all, a pause every
    thread of the worker waited out (docs/benchmarks.md has the API's p99 before and
    after). Worker restarts after `max_requests` bound whatever rarer collections leave."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view now, not on a first request
    gc.freeze()
    gc.set_threshold(20_000, 50, 1000)


def child_exit(server, worker):
    """A dead worker's live gauges leave the multiprocess metrics directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Imported here: prometheus_client picks its storage when first imported, which
        # must happen in each worker after the settings have chosen the directory.
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
