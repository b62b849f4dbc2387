"""Delivering the outbox: claim what is due, POST it signed, record the answer.

Each request is claimed in a committed transaction first (the rows' `next_attempt_at`
moves a lease ahead, so another worker skips them and a dead worker's claim comes due
again), sent with no transaction open, then recorded with conditional updates. Several
pending `contact.*` events of one endpoint travel in one request, `{"events": [...]}`
(at most BATCH_SIZE). docs/webhooks.md describes bodies, headers and retries.
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.db import transaction
from django.utils import timezone

from skylight.events import BATCHED_TYPES, RETRY_FOR, envelope, new_id
from skylight.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

from ..transports import TransportError
from ..transports import http as guarded

logger = logging.getLogger("skylight.webhooks_out")

BATCH_SIZE = 100
REQUESTS_PER_RUN = 10  # at most 10 x 15 s per task, well inside the qcluster timeout
LEASE = timedelta(minutes=2)  # a claimed request not recorded by then is due again
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
DISABLE_AFTER = timedelta(hours=24)
KEEP_FOR = timedelta(days=30)  # the delivery log's history
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "SkyLight-Webhooks/1"
PENDING = WebhookDelivery.Status.PENDING


@dataclass
class Answer:
    """What one request got: a status code, or an error before any answer."""

    status_code: int | None
    latency_ms: int
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Timeouts, connection errors, 5xx and 429 are retried; other 4xx never."""
        code = self.status_code
        return code is None or code == 429 or code >= 500


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, the gateway's scheme."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def endpoint_deliver(endpoint_id: int, now: datetime | None = None) -> int:
    """Sends the endpoint's due deliveries, a request at a time; returns requests made."""
    sent = 0
    while sent < REQUESTS_PER_RUN:
        claimed = _claim(endpoint_id, now or timezone.now())
        if claimed is None:
            break
        endpoint, group = claimed
        answer, batch_id = _post(endpoint, group)
        _record(endpoint, group, answer, batch_id, now or timezone.now())
        sent += 1
    return sent


def deliveries_sweep(now: datetime | None = None, *, inline: bool = False) -> int:
    """Hands every active endpoint with due deliveries to a task (or sends them here with
    `inline`); returns how many endpoints. The every-minute schedule calls it."""
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(
            status=PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by()
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    endpoint_ids = sorted(set(due[:1000]))
    if inline:
        for endpoint_id in endpoint_ids:
            endpoint_deliver(endpoint_id, now)
    elif endpoint_ids:
        from skylight.events import deliveries_enqueue

        deliveries_enqueue(endpoint_ids)
    return len(endpoint_ids)


def outbox_prune(now: datetime, keep: timedelta = KEEP_FOR, limit: int = 5000) -> int:
    """Deletes events older than `keep` with nothing pending (their deliveries and attempt
    logs go with them), at most `limit` a call; returns how many."""
    old = WebhookEvent.objects.filter(created_at__lt=now - keep).exclude(deliveries__status=PENDING)
    ids = list(old.order_by().values_list("pk", flat=True)[:limit])
    if ids:
        WebhookEvent.objects.filter(pk__in=ids).delete()
    return len(ids)


def _claim(endpoint_id: int, now: datetime):
    """(endpoint, deliveries) of the next request, committed as taken; None if none due."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).first()
        if endpoint is None:
            return None
        # Only the rows this request carries are locked, so other workers take the rest.
        due = (
            WebhookDelivery.objects.filter(
                endpoint_id=endpoint_id, status=PENDING, next_attempt_at__lte=now
            )
            .select_related("event")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "id")
        )
        head = due.first()
        if head is None:
            return None
        group = [head]
        if head.event.type in BATCHED_TYPES:
            more = due.filter(event__type__in=BATCHED_TYPES).exclude(pk=head.pk)
            group += list(more[: BATCH_SIZE - 1])
        for delivery in group:
            delivery.attempts += 1
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in group]).update(
            next_attempt_at=now + LEASE
        )
    return endpoint, group


def _body(group: list[WebhookDelivery]) -> tuple[bytes, dict, str]:
    """(raw body, id headers, batch id or "") of one request."""
    if len(group) == 1:
        event = group[0].event
        body = envelope(event)
        return _json(body), {"X-Skylight-Event-Id": event.id}, ""
    batch_id = new_id("bat")
    body = {"events": [envelope(delivery.event) for delivery in group]}
    return _json(body), {"X-Skylight-Batch-Id": batch_id}, batch_id


def _json(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _post(endpoint: WebhookEndpoint, group: list[WebhookDelivery]) -> tuple[Answer, str]:
    raw, ids, batch_id = _body(group)
    timestamp = str(int(time.time()))
    headers = {
        **ids,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Skylight-Timestamp": timestamp,
        "X-Skylight-Signature": signature(endpoint.secret, timestamp, raw),
    }
    started = time.monotonic()
    try:
        guarded.check_target(endpoint.url)
        response = guarded.client().post(
            endpoint.url, content=raw, headers=headers, timeout=TIMEOUT
        )
    except TransportError as exc:  # the guard refused, or the name does not resolve
        code = None if exc.kind == TransportError.TRANSIENT else 0
        return Answer(code, _ms(started), exc.message), batch_id
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Answer(None, _ms(started), f"{exc.__class__.__name__}: {exc}"[:500]), batch_id
    answer = Answer(response.status_code, _ms(started))
    if not answer.ok:
        answer.error = f"HTTP {response.status_code}: {response.text[:300]}"
        answer.retry_after = guarded.retry_after_header(response)
    return answer, batch_id


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """30 s, 1 min, 2 min... at most an hour; never sooner than the receiver's Retry-After."""
    wait = min(FIRST_RETRY * 2 ** max(attempt - 1, 0), LONGEST_WAIT)
    if retry_after:
        wait = max(wait, min(timedelta(seconds=retry_after), LONGEST_WAIT))
    return wait


def _record(endpoint, group, answer: Answer, batch_id: str, now: datetime) -> None:
    """The attempt log, each delivery's new state, and the endpoint's health: one transaction."""
    attempts: list[WebhookAttempt] = []
    same: dict[tuple, list[int]] = {}  # one UPDATE per (attempt number, next try)
    for delivery in group:
        next_at = _next_attempt(delivery, answer, now)
        same.setdefault((delivery.attempts, next_at), []).append(delivery.pk)
        attempts.append(_attempt(delivery, answer, batch_id, next_at, now))
    with transaction.atomic():
        updated = sum(
            WebhookDelivery.objects.filter(pk__in=ids, status=PENDING).update(
                attempts=number, **_outcome_fields(answer, next_at, now)
            )
            for (number, next_at), ids in same.items()
        )
        if updated < len(group):  # the endpoint was deleted meanwhile, or a row resent
            alive = set(
                WebhookDelivery.objects.filter(pk__in=[d.pk for d in group]).values_list(
                    "pk", flat=True
                )
            )
            attempts = [attempt for attempt in attempts if attempt.delivery_id in alive]
        WebhookAttempt.objects.bulk_create(attempts)
        _endpoint_health(endpoint, group, answer, now)
    logger.info(
        "endpoint=%s events=%s status=%s latency_ms=%s",
        endpoint.pk,
        len(group),
        answer.status_code,
        answer.latency_ms,
    )


def _next_attempt(delivery: WebhookDelivery, answer: Answer, now: datetime):
    if answer.ok or not answer.retryable:
        return None
    if now >= delivery.retry_until:
        return None
    # The last try lands at the end of the window, so a day of failures is a day long.
    return min(now + backoff(delivery.attempts, answer.retry_after), delivery.retry_until)


def _outcome_fields(answer: Answer, next_at, now) -> dict:
    fields = {"status_code": answer.status_code or None, "latency_ms": answer.latency_ms}
    if answer.ok:
        return {**fields, "status": "succeeded", "delivered_at": now, "error": "",
                "next_attempt_at": None}  # fmt: skip
    if next_at is not None:
        return {**fields, "error": answer.error, "next_attempt_at": next_at}
    given_up = answer.error if not answer.retryable else f"Gave up after 24 h: {answer.error}"
    return {**fields, "status": "failed", "error": given_up[:2000], "next_attempt_at": None}


def _attempt(delivery, answer: Answer, batch_id: str, next_at, now) -> WebhookAttempt:
    return WebhookAttempt(
        delivery_id=delivery.pk,
        number=delivery.attempts,
        batch_id=batch_id,
        status_code=answer.status_code or None,
        latency_ms=answer.latency_ms,
        error=answer.error[:2000],
        next_retry_at=next_at,
        created_at=now,
    )


def _endpoint_health(endpoint, group, answer: Answer, now: datetime) -> None:
    """A success clears the failing clock; failing for DISABLE_AFTER disables the endpoint."""
    rows = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if answer.ok:
        rows.exclude(failing_since=None).update(failing_since=None)
        return
    # Failing since the oldest retry window in this request opened (its event was
    # created, or resent): failing for a day then means that whole window failed.
    oldest = min(delivery.retry_until for delivery in group) - RETRY_FOR
    rows.filter(failing_since=None).update(failing_since=min(oldest, now))
    since = rows.values_list("failing_since", flat=True).first()
    if since is None or now - since < DISABLE_AFTER:
        return
    reason = (
        f"Disabled at {now:%Y-%m-%d %H:%M} UTC: every request failed for 24 hours "
        f"(last: {answer.error[:300] or 'no answer'})."
    )
    if rows.filter(is_active=True).update(is_active=False, disabled_reason=reason):
        WebhookDelivery.objects.filter(endpoint_id=endpoint.pk, status=PENDING).update(
            status="failed", next_attempt_at=None, error="The endpoint was disabled."
        )
        logger.warning("endpoint=%s disabled: %s", endpoint.pk, reason)
