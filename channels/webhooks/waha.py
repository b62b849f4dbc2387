"""WAHA webhooks: `message` (inbound), `message.ack` (statuses of our messages) and
`session.status` (a session logged out stops the number).

The body is an envelope `{"event", "timestamp" (ms), "session", "payload", ...}`. When
the channel has a `webhook_hmac_key` (the key given to WAHA's session webhook config),
`X-Webhook-Hmac` must be the hex HMAC-SHA512 of the raw body with it and
`X-Webhook-Timestamp` (ms) within five minutes of our clock; otherwise 403. Without a
key, the unguessable token in the webhook URL is the only check.
"""

import hashlib
import hmac
import time
from datetime import UTC, datetime

from .base import MalformedWebhook, WebhookHandler, WebhookRejected, json_body, secrets_equal
from .events import InboundEvent, NumberStoppedEvent, StatusEvent
from .whatsapp_ids import phone_of_jid

MAX_SKEW_MS = 5 * 60 * 1000
# `session.status` values that mean WhatsApp logged the session out (STOPPED is a person's
# choice and only makes the channel unavailable).
LOGGED_OUT = {"FAILED", "SCAN_QR_CODE"}
# WAHA's ack numbers and names; PENDING (0) says nothing new.
ACK_STATUSES = {
    -1: "failed",
    1: "sent",
    2: "delivered",
    3: "read",
    4: "read",
    "ERROR": "failed",
    "SERVER": "sent",
    "DEVICE": "delivered",
    "READ": "read",
    "PLAYED": "read",
}


class WahaWebhook(WebhookHandler):
    def verify(self, request):
        key = self.config.webhook_hmac_key
        if not key:
            return
        stamp = request.headers.get("X-Webhook-Timestamp", "")
        if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > MAX_SKEW_MS:
            raise WebhookRejected("X-Webhook-Timestamp is missing or not within 5 minutes.")
        expected = hmac.new(key.encode(), request.body, hashlib.sha512).hexdigest()
        if not secrets_equal(expected, request.headers.get("X-Webhook-Hmac", "").lower()):
            raise WebhookRejected("Bad X-Webhook-Hmac.")

    def parse(self, request):
        body = json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
            raise MalformedWebhook("Expected a WAHA event envelope with a payload.")
        payload = body["payload"]
        if body.get("event") == "message":
            event = _inbound(payload)
        elif body.get("event") == "message.ack":
            event = _status(payload, _at(body.get("timestamp")))
        elif body.get("event") == "session.status":
            event = _session_stopped(payload)
        else:
            event = None
        return [event] if event else []


def _session_stopped(payload: dict) -> NumberStoppedEvent | None:
    """A session that failed or wants a new QR scan was logged out (often a ban)."""
    status = str(payload.get("status") or "")
    if status not in LOGGED_OUT:
        return None
    return NumberStoppedEvent(
        reason=f"WAHA reported the WhatsApp session {status}: it was logged out. Check the "
        "phone and the number's standing before resuming."
    )


def _inbound(payload: dict) -> InboundEvent | None:
    phone = phone_of_jid(payload.get("from"))
    text = payload.get("body")
    if payload.get("fromMe") or not phone or not isinstance(text, str):
        return None
    return InboundEvent(sender=phone, text=text)


def _status(payload: dict, at) -> StatusEvent | None:
    ack = payload.get("ack")
    status = ACK_STATUSES.get(ack if isinstance(ack, int) else payload.get("ackName"))
    message_id = short_id(payload.get("id"))
    if not status or not message_id:
        return None
    error = "WhatsApp reported the message as failed (ack ERROR)." if status == "failed" else ""
    return StatusEvent(message_id, status, at, error)


def short_id(raw) -> str:
    """The message id our send answer gave, from WAHA's serialized `true_<chat>_<id>`.

    Send answers carry the short id (`key.id` or `id.id`); acks may carry either form.
    """
    if isinstance(raw, dict):
        raw = raw.get("id") or raw.get("_serialized")
    if not isinstance(raw, str):
        return ""
    parts = raw.split("_")
    if len(parts) >= 3 and parts[0] in ("true", "false"):
        return parts[2]
    return raw


def _at(raw) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
