"""Webhook gateway: a JSON POST to the user's own URL, signed with HMAC-SHA256.

Request body::

    {"id": "<uuid, also an idempotency key>", "recipient": "+9665...",
     "message": {"type": "text", "content": "...", "caption": "", "filename": ""}}

Header `X-Skylight-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>`.
A 2xx answer accepts the message; its JSON `id`, if any, becomes the provider message
id (else the request's `id`). 429/5xx are retried, other 4xx fail the message.
"""

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass

from . import http
from .base import OutboundMessage, SendResult, Transport
from .config import matches, min_length, setting

SIGNATURE_HEADER = "X-Skylight-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


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
            SIGNATURE_HEADER: sign(self.config.secret, body),
            "User-Agent": "SkyLight-Webhook/1",
        }
        response = http.post(self.config.url, content=body, headers=headers)
        if not response.is_success:
            raise http.error_for_status(response, response.text[:200] or response.reason_phrase)
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
