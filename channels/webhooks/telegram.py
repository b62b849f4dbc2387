"""Telegram Bot API webhooks (updates).

Verified with `X-Telegram-Bot-Api-Secret-Token`, the `secret_token` given to setWebhook
(the channel's `webhook_secret`). `message.text` from a private chat is an inbound
message (its sender is the chat id); a `my_chat_member` update whose new status is
`kicked` means the user blocked the bot: opt them out.
"""

from .base import MalformedWebhook, WebhookHandler, WebhookRejected, json_body, secrets_equal
from .events import BlockedEvent, InboundEvent


class TelegramWebhook(WebhookHandler):
    def verify(self, request):
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not secrets_equal(self.config.webhook_secret, given):
            raise WebhookRejected("Bad X-Telegram-Bot-Api-Secret-Token.")

    def parse(self, request):
        update = json_body(request)
        if not isinstance(update, dict):
            raise MalformedWebhook("Expected a Telegram Update object.")
        update_id = update.get("update_id")
        event_id = str(update_id) if isinstance(update_id, int | str) else ""
        message = update.get("message")
        if isinstance(message, dict) and isinstance(message.get("text"), str):
            chat_id = (message.get("chat") or {}).get("id")
            if chat_id is not None:
                return [
                    InboundEvent(
                        sender=str(chat_id), text=message["text"], provider_event_id=event_id
                    )
                ]
        member = update.get("my_chat_member")
        if isinstance(member, dict):
            new_status = (member.get("new_chat_member") or {}).get("status")
            chat_id = (member.get("chat") or {}).get("id")
            if new_status == "kicked" and chat_id is not None:
                return [BlockedEvent(sender=str(chat_id), provider_event_id=event_id)]
        return []
