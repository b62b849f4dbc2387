"""Meta (WhatsApp Cloud API) webhooks.

GET: the subscription check (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`).
POST: signed with `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app
secret>`; carries `entry[].changes[].value.statuses[]` (sent, delivered, read, failed)
and `...value.messages[]` (inbound messages, `from` is the number without '+').
"""

import hashlib
import hmac
import json
import logging
import re
from datetime import UTC, datetime

from django.http import HttpResponse

from ..transports.error_codes import META, Action
from ..transports.whatsapp_cloud import OPT_OUT_CODES
from .base import MalformedWebhook, WebhookHandler, WebhookRejected, json_body, secrets_equal
from .events import (
    BlockedEvent,
    InboundEvent,
    NumberStoppedEvent,
    StatusEvent,
    TemplateStatusEvent,
)

logger = logging.getLogger("skylight.webhooks")

STATUSES = {"sent", "delivered", "read", "failed"}
# Fields about the number itself; their enums change between Graph versions, so the words
# are matched (whole words: UNFLAGGED is not FLAGGED) and the raw payload is logged.
NUMBER_FIELDS = {"phone_number_quality_update", "account_update"}
ALARM_WORDS = {
    "FLAGGED",
    "RESTRICTION",
    "RESTRICTED",
    "VIOLATION",
    "DISABLE",
    "DISABLED",
    "BAN",
    "BANNED",
}
STOP_CODES = {code for code, rule in META.items() if rule.action == Action.PAUSE_NUMBER}


class MetaWebhook(WebhookHandler):
    def challenge(self, request):
        params = request.GET
        if params.get("hub.mode") != "subscribe" or not secrets_equal(
            self.config.verify_token, params.get("hub.verify_token", "")
        ):
            raise WebhookRejected("The verify token does not match this channel's.")
        return HttpResponse(params.get("hub.challenge", ""), content_type="text/plain")

    def verify(self, request):
        if not self.config.app_secret:
            raise WebhookRejected("Set app_secret on the channel to accept Meta webhooks.")
        digest = hmac.new(self.config.app_secret.encode(), request.body, hashlib.sha256)
        expected = "sha256=" + digest.hexdigest()
        if not secrets_equal(expected, request.headers.get("X-Hub-Signature-256", "")):
            raise WebhookRejected("Bad X-Hub-Signature-256.")

    def parse(self, request):
        body = json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
            raise MalformedWebhook("Expected a WhatsApp Business Account notification.")
        events = []
        for field, value in _fields(body):
            if field == "message_template_status_update":
                events.append(_template_status(value))
                continue
            if field in NUMBER_FIELDS:
                events.append(_number_alarm(field, value))
                continue
            for item in _items(value, "statuses"):
                events += [_status(item), _refusal(item), _stopped(item)]
            events += [_inbound(item) for item in _items(value, "messages")]
        return [event for event in events if event is not None]


def _fields(body: dict):
    """(field, value) of every change of every entry."""
    for entry in body["entry"]:
        for change in (entry or {}).get("changes") or []:
            if isinstance(change, dict) and isinstance(change.get("value"), dict):
                yield str(change.get("field") or ""), change["value"]


def _template_status(value: dict) -> TemplateStatusEvent | None:
    """`{"event": "PAUSED", "message_template_name", "message_template_language", "reason",
    "other_info": {"title", "description"}}`; the enum grows between API versions, so
    the status is kept as Meta words it (upper case)."""
    name, status = value.get("message_template_name"), value.get("event")
    if not isinstance(name, str) or not name or not isinstance(status, str) or not status:
        return None
    reason = value.get("reason")
    reason = reason if isinstance(reason, str) and reason.upper() != "NONE" else ""
    other = value.get("other_info") if isinstance(value.get("other_info"), dict) else {}
    if isinstance(other.get("description"), str) and other["description"]:
        reason = f"{reason}: {other['description']}" if reason else other["description"]
    language = value.get("message_template_language")
    return TemplateStatusEvent(
        name=name[:512],
        language=language if isinstance(language, str) else "",
        status=status.upper()[:64],
        reason=reason[:500],
    )


def _number_alarm(field: str, value: dict) -> NumberStoppedEvent | None:
    """A quality or account update that says the number is flagged, restricted or banned."""
    raw = json.dumps(value, sort_keys=True)[:2000]
    logger.warning("meta %s: %s", field, raw)
    words = {word for text in _strings(value) for word in re.split(r"[^A-Z]+", text.upper())}
    found = sorted(words & ALARM_WORDS)
    if not found:
        return None
    event = value.get("event") or value.get("decision") or "/".join(found)
    return NumberStoppedEvent(
        reason=f"Meta reported the number {str(event)[:80]} ({field.replace('_', ' ')})."
    )


def _strings(value, depth: int = 0):
    """The string values (not the keys) of a JSON value, a few levels deep."""
    if isinstance(value, str):
        yield value
    elif depth < 5 and isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item, depth + 1)


def _stopped(item: dict) -> NumberStoppedEvent | None:
    """A failed status whose error stops the number (spam rate limit, policy block)."""
    if item.get("status") != "failed":
        return None
    for error in item.get("errors") or []:
        if isinstance(error, dict) and error.get("code") in STOP_CODES:
            rule = META[error["code"]]
            return NumberStoppedEvent(
                reason=f"The provider stopped the number: {rule.words} (code {error['code']})."
            )
    return None


def _items(value: dict, key: str) -> list[dict]:
    items = value.get(key)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _status(item: dict) -> StatusEvent | None:
    if item.get("status") not in STATUSES or not item.get("id"):
        return None
    errors = item.get("errors") or []
    error = "; ".join(
        f"{e.get('code')} {e.get('title') or e.get('message') or ''}".strip()
        for e in errors
        if isinstance(e, dict)
    )
    return StatusEvent(str(item["id"]), item["status"], _timestamp(item.get("timestamp")), error)


def _refusal(item: dict) -> BlockedEvent | None:
    """A failed status whose error says the person stopped marketing messages."""
    codes = {e.get("code") for e in item.get("errors") or [] if isinstance(e, dict)}
    if item.get("status") == "failed" and codes & OPT_OUT_CODES and item.get("recipient_id"):
        return BlockedEvent(
            sender=f"+{str(item['recipient_id']).lstrip('+')}",
            provider_event_id=f"{item['id']}:failed" if item.get("id") else "",
        )
    return None


def _inbound(item: dict) -> InboundEvent | None:
    interactive = item.get("interactive") or {}
    text = (
        (item.get("text") or {}).get("body")
        or (item.get("button") or {}).get("text")
        or (interactive.get("button_reply") or {}).get("title")
    )
    if not item.get("from") or not isinstance(text, str):
        return None
    return InboundEvent(
        sender=f"+{str(item['from']).lstrip('+')}",
        text=text,
        provider_event_id=str(item.get("id") or ""),
    )


def _timestamp(raw) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
