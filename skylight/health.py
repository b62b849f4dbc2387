"""Operations endpoints: /healthz (alive), /readyz (can serve and send), /metrics."""

import hmac
import logging
from functools import cache

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client.core import GaugeMetricFamily

from skylight import metrics

logger = logging.getLogger("skylight.health")


@cache
def _broker():
    from django_q.brokers import get_broker

    return get_broker()


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _broker_reachable() -> str | None:
    return None if _broker().ping() else "the task broker did not answer"


def _send_cycle() -> str | None:
    age = metrics.seconds_since_last_cycle()
    limit = settings.SKYLIGHT_READY_CYCLE_SECONDS
    if age is None:
        return "no send cycle has run yet (is a worker running?)"
    if age > limit:
        return f"the last send cycle finished {age:.0f} s ago (more than {limit:.0f} s)"
    return None


@metrics.state_source
def queue_length():
    gauge = GaugeMetricFamily("skylight_task_queue_length", "Tasks waiting in the broker")
    gauge.add_metric([], _broker().queue_size() or 0)
    yield gauge


CHECKS = {"database": _database, "broker": _broker_reachable, "send_cycle": _send_cycle}


def _run(check) -> str | None:
    try:
        return check()
    except Exception as exc:  # a probe reports what failed; it never raises
        logger.warning("readiness check failed: %r", exc)
        return f"unreachable: {exc.__class__.__name__}"


@never_cache
def healthz(request):
    """The process is up and answering (no dependency is consulted)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """200 when the database and broker answer and the send cycle ran recently; else 503
    naming each failing part."""
    failures = {name: problem for name, check in CHECKS.items() if (problem := _run(check))}
    if failures:
        failing = ", ".join(failures)
        return JsonResponse(
            {"status": "failing", "message": f"Not ready: {failing}.", "failing": failures},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": {name: "ok" for name in CHECKS}})


@never_cache
def metrics_view(request):
    """Prometheus text format, only for `Authorization: Bearer <SKYLIGHT_METRICS_TOKEN>`."""
    token = settings.SKYLIGHT_METRICS_TOKEN
    if not token:
        return JsonResponse(
            {"message": "Metrics are off: set SKYLIGHT_METRICS_TOKEN to enable them."},
            status=403,
        )
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), token.encode()):
        response = JsonResponse({"message": "A valid bearer token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4")
