"""Webhook gateway: a JSON POST to the user's own URL, signed with HMAC-SHA256.

Request body::

    {"id": "<uuid, also an idempotency key>", "recipient": "+9665...",
     "message": {"type": "text", "content": "...", "caption": "", "filename": ""}}

Headers `X-Skylight-Timestamp: <unix seconds>` and `X-Skylight-Signature:
sha256=<hex HMAC-SHA256, keyed with the channel secret, of "<timestamp>.<raw body>">`.
Receivers refuse requests more than `MAX_SKEW_SECONDS` old or ahead, so a captured
request cannot be replayed later (docs/api.md shows how to verify).
A 2xx answer accepts the message; its JSON `id`, if any, becomes the provider message
id (else the request's `id`). 429/5xx are retried, other 4xx fail the message.
"""

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

from . import http
from .base import OutboundMessage, SendResult, Transport
from .config import matches, min_length, setting
from .error_codes import GATEWAY

SIGNATURE_HEADER = "X-Skylight-Signature"
TIMESTAMP_HEADER = "X-Skylight-Timestamp"
MAX_SKEW_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed with `secret`."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The timestamp and signature headers of one request."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def signature_problem(secret: str, headers, body: bytes, now: float | None = None) -> str | None:
    """Why a request's signature headers do not prove it fresh and ours, or None."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return f"Missing or malformed {TIMESTAMP_HEADER} (unix seconds)."
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_SKEW_SECONDS:
        return f"{TIMESTAMP_HEADER} is more than {MAX_SKEW_SECONDS} s from now."
    expected = sign(secret, timestamp, body)
    given = headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(expected.encode(), given.encode(errors="replace")):
        return f"Bad {SIGNATURE_HEADER}."
    return None


@dataclass(frozen=True)
class WebhookConfig:
    url: str = setting(check=matches(r"https?://[^\s/]+(/\S*)?", "An http(s) URL."))
    secret: str = setting(check=min_length(16))


class WebhookTransport(Transport):
    provider = "webhook"
    label = "Webhook gateway (your own HTTP endpoint)"
    channel_types = ("whatsapp", "telegram", "sms")
    secret_fields = ("secret",)
    config_class = WebhookConfig
    webhook_handler = "channels.webhooks.gateway.GatewayWebhook"

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        request_id = str(uuid.uuid4())
        body = json.dumps(
            {
                "id": request_id,
                "recipient": recipient,
                "channel_type": self.channel_type,
                "message": {
                    "type": message.type,
                    "content": message.content,
                    "caption": message.caption,
                    "filename": message.filename,
                },
            },
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json",
            **signed_headers(self.config.secret, body),
            "User-Agent": "SkyLight-Webhook/1",
        }
        response = http.post(self.config.url, content=body, headers=headers)
        if not response.is_success:
            # The URL is the tenant's choice: never echo what it answered (it could be
            # an internal service's page), only the status.
            raise http.error_for_table(
                response, GATEWAY, response.status_code, response.reason_phrase or "error"
            )
        return SendResult(provider_message_id=_answer_id(response) or request_id)


def _answer_id(response) -> str | None:
    """The id in a 2xx JSON answer; an empty body is fine, a garbled one is not."""
    if not response.content.strip():
        return None
    try:
        data = response.json()
    except ValueError:
        raise http.unparseable(response, "JSON") from None
    if isinstance(data, dict) and data.get("id") not in (None, ""):
        return str(data["id"])[:128]
    return None
