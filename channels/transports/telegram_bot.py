"""Telegram Bot API: POST {base}/bot{token}/sendMessage|sendPhoto|sendDocument|sendVideo|sendAudio.

The recipient is the Telegram chat id (a contact's `external_id`). Provider message ids
are `<chat_id>:<message_id>`, because Telegram numbers messages per chat.
"""

from dataclasses import dataclass

from django.conf import settings

from . import http
from .base import OutboundMessage, SendResult, Transport, TransportError
from .config import matches, setting
from .error_codes import error_for_rule, telegram_rule

METHODS = {
    "text": ("sendMessage", "text"),
    "image": ("sendPhoto", "photo"),
    "document": ("sendDocument", "document"),
    "video": ("sendVideo", "video"),
    "audio": ("sendAudio", "audio"),
}
# The updates the webhook handler reads (messages, and blocks as my_chat_member).
ALLOWED_UPDATES = ["message", "my_chat_member"]


@dataclass(frozen=True)
class TelegramBotConfig:
    bot_token: str = setting(
        check=matches(r"\d+:[A-Za-z0-9_-]{20,}", "A bot token looks like 123456:ABC-DEF1234...")
    )
    # Given to setWebhook as secret_token; Telegram echoes it in X-Telegram-Bot-Api-Secret-Token.
    webhook_secret: str = setting(
        "", check=matches(r"[A-Za-z0-9_-]{16,256}", "16 to 256 letters, digits, _ or -.")
    )


class TelegramBotTransport(Transport):
    provider = "telegram_bot"
    label = "Telegram bot"
    channel_types = ("telegram",)
    secret_fields = ("bot_token", "webhook_secret")
    config_class = TelegramBotConfig
    webhook_handler = "channels.webhooks.telegram.TelegramWebhook"
    webhook_setup = True

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        method, field = METHODS[message.type]
        url = f"{settings.SKYLIGHT_TELEGRAM_API_BASE}/bot{self.config.bot_token}/{method}"
        response = http.post(url, json=payload(recipient, message))
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict) and body.get("ok") is True:
            try:
                return SendResult(provider_message_id=f"{recipient}:{body['result']['message_id']}")
            except (TypeError, KeyError):
                raise http.unparseable(response, "result.message_id") from None
        if response.is_success and not (isinstance(body, dict) and body.get("ok") is False):
            raise http.unparseable(response, '{"ok": true, "result": ...}')
        raise _error(response, body if isinstance(body, dict) else {})

    def register_webhook(self, url: str) -> str:
        """setWebhook with our secret_token, for the updates the webhook handler reads."""
        endpoint = f"{settings.SKYLIGHT_TELEGRAM_API_BASE}/bot{self.config.bot_token}/setWebhook"
        body = {
            "url": url,
            "secret_token": self.config.webhook_secret,
            "allowed_updates": ALLOWED_UPDATES,
        }
        response = http.post(endpoint, json=body)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.is_success and isinstance(answer, dict) and answer.get("ok") is True:
            return "Telegram now posts this bot's messages and blocks to SkyLight."
        raise _error(response, answer if isinstance(answer, dict) else {})


def payload(recipient: str, message: OutboundMessage) -> dict:
    """The Bot API body; Telegram takes no file name for a document sent by URL."""
    _method, field = METHODS[message.type]
    body = {"chat_id": recipient, field: message.content}
    if message.type != "text" and message.caption:
        body["caption"] = message.caption
    return body


def _error(response, body: dict) -> TransportError:
    """The error's row in `error_codes.TELEGRAM`; others follow the HTTP status.

    A 429's `parameters.retry_after` holds for the whole bot, not one chat.
    """
    code = body.get("error_code") or response.status_code
    description = str(body.get("description") or response.reason_phrase)
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    detail = f"{description} (error_code {code})"
    rule = telegram_rule(code, description)
    if rule is None:
        return http.error_for_status(response, detail, code=str(code))
    retry_after = parameters.get("retry_after")
    return error_for_rule(
        rule,
        status=response.status_code,
        detail=detail,
        code=code,
        retry_after=float(retry_after)
        if isinstance(retry_after, int | float)
        else http.retry_after_header(response),
    )
