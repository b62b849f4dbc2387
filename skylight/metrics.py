"""Prometheus metrics: the one place the rest of the code reports to, in one-line calls.

Counters live in each process. With PROMETHEUS_MULTIPROC_DIR set (the production process
list sets it for web and workers alike), every process writes them to that directory and
`/metrics` adds them up, so sends counted by workers show on the web process. Gauges of
current state (claims in flight, queue length, time since the last cycle) are read when
scraped, from the sources registered with `state_source`.
"""

import functools
import os
import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

disable_created_metrics()  # no `_created` series beside each counter
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

LAST_CYCLE_KEY = "skylight:send-cycle:last-finished"
WEBHOOK_RESULTS = {
    200: "accepted",
    400: "malformed",
    403: "rejected",
    404: "unknown",
    405: "wrong_method",
    413: "too_large",
}

REQUESTS = Counter("skylight_http_requests_total", "HTTP requests answered", ["method", "status"])
REQUEST_SECONDS = Histogram(
    "skylight_http_request_duration_seconds", "Time to answer an HTTP request", ["method"]
)
SENDS = Counter(
    "skylight_sends_total",
    "Contacts attempted, by provider and outcome (sent, failed, retried)",
    ["provider", "outcome"],
)
WEBHOOKS = Counter(
    "skylight_webhooks_total", "Provider webhooks received, by result", ["provider", "result"]
)
CYCLE_SECONDS = Histogram(
    "skylight_send_cycle_duration_seconds",
    "Time one send cycle took to plan",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)

StateSource = Callable[[], Iterable[GaugeMetricFamily]]
_state_sources: list[StateSource] = []


def request_finished(method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, str(status)).inc()
    REQUEST_SECONDS.labels(method).observe(seconds)


def send_finished(provider: str, outcome: str) -> None:
    _sends(provider, outcome).inc()


@functools.cache
def _sends(provider: str, outcome: str):
    """The counter of one (provider, outcome): `labels()` takes a lock and builds its key
    on every call, a cost the engine paid per contact."""
    return SENDS.labels(provider, outcome)


def webhook_received(provider: str, status: int) -> None:
    WEBHOOKS.labels(provider, WEBHOOK_RESULTS.get(status, str(status))).inc()


def cycle_finished(seconds: float) -> None:
    """Counts a cycle and records when it finished, in the shared cache (for /readyz)."""
    CYCLE_SECONDS.observe(seconds)
    cache.set(LAST_CYCLE_KEY, time.time(), timeout=None)


def seconds_since_last_cycle() -> float | None:
    finished = cache.get(LAST_CYCLE_KEY)
    return None if finished is None else max(0.0, time.time() - finished)


def state_source(source: StateSource) -> StateSource:
    """Registers a function yielding gauges read at scrape time (a decorator)."""
    _state_sources.append(source)
    return source


class _StateCollector:
    def collect(self):
        age = seconds_since_last_cycle()
        gauge = GaugeMetricFamily(
            "skylight_send_cycle_age_seconds", "Seconds since a send cycle last finished"
        )
        gauge.add_metric([], -1 if age is None else age)
        yield gauge
        for source in _state_sources:
            yield from source()


def exposition() -> bytes:
    """The text exposition of every metric: all processes' counters plus current state."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    registry.register(_StateCollector())
    return generate_latest(registry)


class _Default:
    """This process's own metrics (no multiprocess directory: development, tests)."""

    def collect(self):
        return REGISTRY.collect()
