"""WhatsApp Cloud API (Meta Graph API): POST {base}/{phone_number_id}/messages."""

import re
from dataclasses import dataclass

from django.conf import settings

from . import http
from .base import OutboundMessage, SendResult, Transport, TransportError
from .config import matches, setting
from .error_codes import META, Action, error_for_rule

# The recipient stopped marketing messages from this business (also read from webhooks).
OPT_OUT_CODES = {code for code, rule in META.items() if rule.action == Action.OPT_OUT}


@dataclass(frozen=True)
class WhatsAppCloudConfig:
    phone_number_id: str = setting(check=matches(r"\d{5,32}", "Digits only, e.g. 106540352242922."))
    access_token: str = setting()
    app_secret: str = setting("")  # verifies X-Hub-Signature-256 on inbound webhooks
    verify_token: str = setting("")  # answers Meta's GET subscription check
    waba_id: str = setting(
        "",
        check=matches(r"\d{5,32}", "Digits only: the WhatsApp Business Account ID."),
        help="Optional. WhatsApp Manager → Account tools: the WhatsApp Business Account ID; "
        "lets SkyLight list your approved templates.",
    )


class WhatsAppCloudTransport(Transport):
    provider = "whatsapp_cloud"
    label = "WhatsApp Cloud API"
    channel_types = ("whatsapp",)
    secret_fields = ("access_token", "app_secret", "verify_token")
    config_class = WhatsAppCloudConfig
    webhook_handler = "channels.webhooks.meta.MetaWebhook"
    supports_templates = True
    free_form_window_hours = 24  # outside it Meta answers 131047

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

    def list_templates(self) -> list[dict]:
        """The business account's message templates (name, language, status, category,
        body text and its {{n}} variables); [] without a `waba_id`."""
        if not self.config.waba_id:
            return []
        url = f"{settings.SKYLIGHT_WHATSAPP_API_BASE}/{self.config.waba_id}/message_templates"
        response = http.get(
            url,
            params={"fields": "name,language,status,category,components", "limit": 200},
            headers={"Authorization": f"Bearer {self.config.access_token}"},
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not response.is_success:
            raise _error(response, body)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise http.unparseable(response, "data[]")
        return [template_summary(item) for item in data if isinstance(item, dict)]


def template_summary(item: dict) -> dict:
    components = item.get("components") if isinstance(item.get("components"), list) else []
    body = next(
        (
            c.get("text") or ""
            for c in components
            if isinstance(c, dict) and c.get("type") == "BODY"
        ),
        "",
    )
    variables = sorted({int(n) for n in re.findall(r"\{\{\s*(\d+)\s*\}\}", body)})
    return {
        "name": str(item.get("name") or ""),
        "language": str(item.get("language") or ""),
        "status": str(item.get("status") or ""),
        "category": str(item.get("category") or ""),
        "body": body,
        "variables": variables,
    }


def payload(recipient: str, message: OutboundMessage) -> dict:
    """The Graph API body for one message; WhatsApp ids are the number without '+'."""
    if message.type == "template":
        return template_payload(recipient, message)
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


def template_payload(recipient: str, message: OutboundMessage) -> dict:
    """An approved template with its body parameters (the only way to start a conversation)."""
    template = {"name": message.template_name, "language": {"code": message.language}}
    if message.parameters:
        parameters = [{"type": "text", "text": value} for value in message.parameters]
        template["components"] = [{"type": "body", "parameters": parameters}]
    return {
        "messaging_product": "whatsapp",
        "to": recipient.lstrip("+"),
        "type": "template",
        "template": template,
    }


def _error(response, body) -> TransportError:
    """The Graph error's row in `error_codes.META`; other codes follow the HTTP status."""
    error = body.get("error", {}) if isinstance(body, dict) else {}
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    detail = f"{error.get('message') or response.reason_phrase} (code {code})"
    rule = META.get(code) if isinstance(code, int) else None
    if rule is None:
        return http.error_for_status(response, detail, code=str(code or ""))
    return error_for_rule(
        rule,
        status=response.status_code,
        detail=detail,
        code=code,
        retry_after=http.retry_after_header(response),
    )
