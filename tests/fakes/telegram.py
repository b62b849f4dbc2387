"""Fake Telegram Bot API: POST /bot{token}/sendMessage|sendPhoto|sendDocument|sendVideo|sendAudio.

`setWebhook` is answered outside the script (recorded like every request).
Outcomes: ok, rate_limited (retry_after, in `parameters`), server_error, rejected
("chat not found"), blocked ("bot was blocked by the user"), unauthorized, garbage, and
coded (any error: `code` and `description`).
"""

import itertools
import json

from .base import FakeProvider, RecordedRequest, unknown_outcome

BOT_TOKEN = "123456789:AAH-fake-telegram-bot-token-xyz"
WEBHOOK_SECRET = "telegram-webhook-secret-1234"
METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio"}


def tg_error(code: int, description: str, **parameters) -> tuple[dict, int]:
    body = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body, code


class FakeTelegram(FakeProvider):
    def channel_config(self) -> dict:
        return {"bot_token": BOT_TOKEN, "webhook_secret": WEBHOOK_SECRET}

    def recipient_of(self, request: RecordedRequest) -> str:
        return str(request.json().get("chat_id", ""))

    def answer_directly(self, request: RecordedRequest):
        prefix, _, method = request.path.lstrip("/").partition("/")
        if method != "setWebhook":
            return None
        if prefix != f"bot{BOT_TOKEN}":
            return self.json_response(*tg_error(401, "Unauthorized"))
        url = request.json().get("url", "")
        if not url.startswith("https://"):
            return self.json_response(
                *tg_error(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
            )
        return self.json_response({"ok": True, "result": True, "description": "Webhook was set"})

    def respond(self, outcome: str, request: RecordedRequest, **options):
        prefix, _, method = request.path.lstrip("/").partition("/")
        if prefix != f"bot{BOT_TOKEN}":
            outcome = "unauthorized"
        elif method not in METHODS:
            return self.json_response(*tg_error(404, "Not Found: method not found"))
        if outcome == "ok":
            chat_id = request.json()["chat_id"]
            result = {"message_id": self.next_id(), "chat": {"id": chat_id}, "date": 1767225600}
            return self.json_response({"ok": True, "result": result})
        if outcome == "rate_limited":
            retry_after = options.get("retry_after", 7)
            return self.json_response(
                *tg_error(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )
            )
        if outcome == "server_error":
            return self.json_response(*tg_error(502, "Bad Gateway"))
        if outcome == "rejected":
            return self.json_response(*tg_error(400, "Bad Request: chat not found"))
        if outcome == "blocked":
            return self.json_response(*tg_error(403, "Forbidden: bot was blocked by the user"))
        if outcome == "unauthorized":
            return self.json_response(*tg_error(401, "Unauthorized"))
        if outcome == "coded":
            return self.json_response(*tg_error(options["code"], options["description"]))
        if outcome == "garbage":
            return self.garbage()
        return unknown_outcome(outcome)


_update_ids = itertools.count(1000)


def update_message(chat_id: int, text: str, update_id: int | None = None) -> bytes:
    """A Telegram webhook update carrying a private text message (a new update_id each
    call unless one is given)."""
    update_id = next(_update_ids) if update_id is None else update_id
    message = {
        "message_id": 10,
        "date": 1767225600,
        "text": text,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def update_blocked(chat_id: int, update_id: int | None = None) -> bytes:
    """A `my_chat_member` update: the user blocked the bot (status kicked)."""
    update_id = next(_update_ids) if update_id is None else update_id
    member = {
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
        "date": 1767225600,
        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True}},
        "new_chat_member": {"status": "kicked", "until_date": 0, "user": {"id": 1, "is_bot": True}},
    }
    return json.dumps({"update_id": update_id, "my_chat_member": member}).encode()
