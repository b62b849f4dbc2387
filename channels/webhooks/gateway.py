"""Webhooks from the user's own gateway (provider `webhook`), signed like our requests.

Headers `X-Skylight-Timestamp: <unix seconds>` and `X-Skylight-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the channel secret>`; a request
more than 300 s old or ahead is refused (403). The body is one event, or
`{"events": [...]}` with up to 100:

    {"event": "status", "message_id": "<the id your gateway answered>",
     "status": "sent" | "delivered" | "read" | "failed",
     "timestamp": "2026-03-05T08:00:00Z" (optional), "error": "..." (optional)}

    {"event": "inbound", "from": "+966501234567", "text": "STOP", "id": "<optional>"}

An inbound `id`, when given, is the message's id at your gateway: a second event with
the same id is ignored.

`from` is a phone number (or, for Telegram contacts, the chat id stored as the
contact's external id).
"""

from datetime import UTC

from django.utils.dateparse import parse_datetime

from ..transports.webhook import signature_problem
from .base import MalformedWebhook, WebhookHandler, WebhookRejected, json_body
from .events import InboundEvent, StatusEvent

MAX_EVENTS = 100
STATUSES = {"sent", "delivered", "read", "failed"}


class GatewayWebhook(WebhookHandler):
    def verify(self, request):
        problem = signature_problem(self.config.secret, request.headers, request.body)
        if problem:
            raise WebhookRejected(problem)

    def parse(self, request):
        body = json_body(request)
        items = body.get("events") if isinstance(body, dict) and "events" in body else [body]
        if not isinstance(items, list) or len(items) > MAX_EVENTS:
            raise MalformedWebhook(f"`events` must be a list of at most {MAX_EVENTS} events.")
        return [_event(index, item) for index, item in enumerate(items)]


def _event(index: int, item):
    if not isinstance(item, dict):
        raise MalformedWebhook(f"Event {index} is not an object.")
    kind = item.get("event")
    if kind == "status":
        if item.get("status") not in STATUSES or not _text(item.get("message_id")):
            raise MalformedWebhook(
                f"Event {index}: give message_id and a status in {sorted(STATUSES)}."
            )
        at = _timestamp(item.get("timestamp"), index)
        return StatusEvent(
            str(item["message_id"]), item["status"], at, str(item.get("error") or "")
        )
    if kind == "inbound":
        if not _text(item.get("from")) or not isinstance(item.get("text"), str):
            raise MalformedWebhook(f"Event {index}: give `from` and `text`.")
        event_id = str(item["id"]) if _text(item.get("id")) else ""
        return InboundEvent(sender=str(item["from"]), text=item["text"], provider_event_id=event_id)
    raise MalformedWebhook(f"Event {index}: `event` must be 'status' or 'inbound'.")


def _timestamp(raw, index: int):
    if raw in (None, ""):
        return None
    try:
        at = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if at is None:
        raise MalformedWebhook(f"Event {index}: timestamp must be ISO 8601.")
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _text(value) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""
