"""Request ids and log context: one log line per request, ids on every line.

`log_context(account_id=..., campaign_id=...)` sets ids for the lines logged inside it
(the send engine wraps each batch); the request middleware sets the request id and,
once the view has run, the account and campaign it concerned.
"""

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings

from skylight import metrics

logger = logging.getLogger("skylight.request")

CONTEXT_FIELDS = ("request_id", "account_id", "campaign_id")
_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("skylight_log_context")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class log_context:  # noqa: N801 - used as a function: `with log_context(...)`
    """Adds ids (None ignored) to every log line written inside the block.

    A class rather than a generator, and reusable (nested too): a send engine lane enters
    its own twice per contact, and the ids it sets are merged once for as long as the
    surrounding ids stay the same."""

    __slots__ = ("known", "tokens", "outer", "merged")

    def __init__(self, **ids):
        self.known = {name: value for name, value in ids.items() if value is not None}
        self.tokens: list[contextvars.Token] = []
        self.outer: dict | None = None
        self.merged: dict | None = None

    def __enter__(self) -> None:
        outer = _context.get(None)
        if self.merged is None or outer is not self.outer:
            self.outer, self.merged = outer, {**(outer or {}), **self.known}
        self.tokens.append(_context.set(self.merged))

    def __exit__(self, *exc_info) -> None:
        _context.reset(self.tokens.pop())


class ContextFilter(logging.Filter):
    """Puts the current ids on each record: as attributes (JSON) and as `context` (text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = _context.get(None) or {}
        for name in CONTEXT_FIELDS:
            if name in ids and not hasattr(record, name):
                setattr(record, name, ids[name])
        record.context = "".join(
            f" {name}={getattr(record, name)}" for name in CONTEXT_FIELDS if hasattr(record, name)
        )
        return True


def client_ip(request) -> str:
    """The client address; behind our proxy, the address it appended to X-Forwarded-For."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SKYLIGHT_BEHIND_PROXY and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestLogMiddleware:
    """Outermost: gives the request an id (X-Request-ID, echoed), logs one line, counts it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request.id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        started = time.monotonic()
        with log_context(request_id=request.id):
            response = self.get_response(request)
            seconds = time.monotonic() - started
            with log_context(**_subjects(request)):
                logger.info(
                    "request method=%s path=%s status=%s duration_ms=%.1f",
                    request.method,
                    request.path,
                    response.status_code,
                    seconds * 1000,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(seconds * 1000, 1),
                    },
                )
        metrics.request_finished(request.method, response.status_code, seconds)
        response["X-Request-ID"] = request.id
        return response


def _subjects(request) -> dict:
    """The account (API key's or dashboard's) and campaign a finished request concerned."""
    account = getattr(getattr(request, "user", None), "account", None)
    account = account or getattr(request, "account", None)
    match = getattr(request, "resolver_match", None)
    campaign_id = None
    if match is not None and "campaign" in (match.url_name or ""):
        found = str(match.kwargs.get("pk") or match.kwargs.get("campaign_id") or "")
        campaign_id = int(found) if found.isdigit() else None
    return {"account_id": getattr(account, "pk", None), "campaign_id": campaign_id}
