"""Twilio Messages API: POST {base}/2010-04-01/Accounts/{sid}/Messages.json (SMS, WhatsApp)."""

from dataclasses import dataclass

from django.conf import settings

from contacts.phones import E164_PATTERN, InvalidPhone, normalize_phone

from . import http
from .base import OutboundMessage, SendResult, Transport, TransportError
from .config import matches, setting
from .error_codes import TWILIO, Action, error_for_rule

# Twilio error codes meaning the recipient unsubscribed (replied STOP to this sender).
OPT_OUT_CODES = {code for code, rule in TWILIO.items() if rule.action == Action.OPT_OUT}


def _e164(value: str) -> str | None:
    try:
        normalize_phone(value)
    except InvalidPhone as exc:
        return exc.message
    return None


_e164.json_schema = {"pattern": E164_PATTERN}


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str = setting(
        check=matches(r"AC[0-9a-fA-F]{32}", "Starts with AC, 34 characters.")
    )
    auth_token: str = setting(check=matches(r"[0-9a-zA-Z]{32}", "32 letters and digits."))
    from_number: str = setting("", check=_e164)
    messaging_service_sid: str = setting(
        "", check=matches(r"MG[0-9a-fA-F]{32}", "Starts with MG, 34 characters.")
    )

    def check(self) -> dict[str, list[str]]:
        if self.from_number or self.messaging_service_sid:
            return {}
        return {"from_number": ["Give from_number or messaging_service_sid."]}


class TwilioTransport(Transport):
    provider = "twilio"
    label = "Twilio"
    channel_types = ("sms", "whatsapp")
    secret_fields = ("auth_token",)
    config_class = TwilioConfig
    webhook_handler = "channels.webhooks.twilio.TwilioWebhook"

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        sid = self.config.account_sid
        url = f"{settings.SKYLIGHT_TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json"
        response = http.post(
            url, data=self.form(recipient, message), auth=(sid, self.config.auth_token)
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success:
            if isinstance(body, dict) and body.get("sid"):
                return SendResult(provider_message_id=str(body["sid"]))
            raise http.unparseable(response, "sid")
        raise _error(response, body if isinstance(body, dict) else {})

    def form(self, recipient: str, message: OutboundMessage) -> dict:
        """Form fields; WhatsApp channels address numbers as `whatsapp:+...`."""
        prefix = "whatsapp:" if self.channel_type == "whatsapp" else ""
        data = {"To": f"{prefix}{recipient}"}
        if self.config.messaging_service_sid:
            data["MessagingServiceSid"] = self.config.messaging_service_sid
        else:
            data["From"] = f"{prefix}{self.config.from_number}"
        if message.type == "text":
            data["Body"] = message.content
        else:
            data["MediaUrl"] = message.content
            if message.caption:
                data["Body"] = message.caption
        if self.webhook_url:
            data["StatusCallback"] = self.webhook_url
        return data


def _error(response, body: dict) -> TransportError:
    """The code's row in `error_codes.TWILIO`; other codes follow the HTTP status."""
    code = body.get("code")
    detail = f"{body.get('message') or response.reason_phrase} (code {code})"
    rule = TWILIO.get(code) if isinstance(code, int) else None
    if rule is None:
        return http.error_for_status(response, detail, code=str(code or ""))
    return error_for_rule(
        rule,
        status=response.status_code,
        detail=detail,
        code=code,
        retry_after=http.retry_after_header(response),
    )
