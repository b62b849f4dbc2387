"""WhatsApp Cloud API (Meta Graph API): POST {base}/{phone_number_id}/messages."""

from dataclasses import dataclass

from django.conf import settings

from . import http
from .base import OutboundMessage, SendResult, Transport, TransportError
from .config import matches, setting

# Graph error codes that say "slow down" or "try later": nothing was accepted.
RETRYABLE_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131048, 131056}
# The recipient stopped marketing messages from this business.
OPT_OUT_CODES = {131050}


@dataclass(frozen=True)
class WhatsAppCloudConfig:
    phone_number_id: str = setting(check=matches(r"\d{5,32}", "Digits only, e.g. 106540352242922."))
    access_token: str = setting()
    app_secret: str = setting("")  # verifies X-Hub-Signature-256 on inbound webhooks
    verify_token: str = setting("")  # answers Meta's GET subscription check


class WhatsAppCloudTransport(Transport):
    provider = "whatsapp_cloud"
    label = "WhatsApp Cloud API"
    channel_types = ("whatsapp",)
    secret_fields = ("access_token", "app_secret", "verify_token")
    config_class = WhatsAppCloudConfig
    webhook_handler = "channels.webhooks.meta.MetaWebhook"

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        url = f"{settings.SKYLIGHT_WHATSAPP_API_BASE}/{self.config.phone_number_id}/messages"
        response = http.post(
            url,
            json=payload(recipient, message),
            headers={"Authorization": f"Bearer {self.config.access_token}"},
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success:
            try:
                return SendResult(provider_message_id=str(body["messages"][0]["id"]))
            except (TypeError, KeyError, IndexError):
                raise http.unparseable(response, "messages[0].id") from None
        raise _error(response, body)


def payload(recipient: str, message: OutboundMessage) -> dict:
    """The Graph API body for one message; WhatsApp ids are the number without '+'."""
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": recipient.lstrip("+"),
        "type": message.type,
    }
    if message.type == "text":
        body["text"] = {"body": message.content, "preview_url": False}
        return body
    media = {"link": message.content}
    if message.caption and message.type != "audio":
        media["caption"] = message.caption
    if message.type == "document" and message.filename:
        media["filename"] = message.filename
    body[message.type] = media
    return body


def _error(response, body) -> TransportError:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    detail = f"{error.get('message') or response.reason_phrase} (code {code})"
    return http.error_for_provider_code(
        response, code, detail, opt_out_codes=OPT_OUT_CODES, retryable_codes=RETRYABLE_CODES
    )
