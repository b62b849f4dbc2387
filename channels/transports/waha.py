"""WAHA, the self-hosted WhatsApp HTTP API: POST {base_url}/api/sendText|sendImage|...

Every call carries `X-Api-Key`. A send answers 201 whose body depends on the engine
WAHA runs (NOWEB `key.id`, WEBJS `id.id`); one WEBJS release answered 201 with no body
at all, which is still an accepted message (never retried). 422 means the session is
not WORKING: nothing was sent, and the channel cannot send until the session runs again.
"""

import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings

from . import http
from .base import ConnectionState, OutboundMessage, SendResult, Transport, TransportError
from .config import flag, matches, min_length, setting
from .error_codes import WAHA
from .media import media_file

logger = logging.getLogger("skylight.transport.waha")

HTTP_URL = matches(r"https?://[^\s/]+(/\S*)?", "An http(s) URL, e.g. http://localhost:3000.")
WEBHOOK_EVENTS = ["message", "message.ack", "session.status"]
SESSION_WORDS = {
    "WORKING": "WhatsApp session is connected and working",
    "SCAN_QR_CODE": "WhatsApp session is waiting for a QR scan",
    "STARTING": "WhatsApp session is starting",
    "STOPPED": "WhatsApp session is stopped: start it in WAHA",
    "FAILED": "WhatsApp session failed: restart it in WAHA (it may need a new QR scan)",
}


@dataclass(frozen=True)
class WahaConfig:
    base_url: str = setting(
        check=HTTP_URL,
        help="Where your WAHA server answers, e.g. https://waha.example.com "
        "(the address you open its dashboard at, without /dashboard).",
    )
    api_key: str = setting(
        help="The WAHA_API_KEY your WAHA server was started with (its environment or "
        "docker-compose file).",
    )
    session: str = setting(
        "default",
        check=matches(r"[A-Za-z0-9_.-]{1,64}", "Letters, digits, _ . or - (WAHA session name)."),
        help="The session name shown in the WAHA dashboard's Sessions list (usually default).",
    )
    webhook_hmac_key: str = setting(
        "",
        check=min_length(16),
        help="Optional. SkyLight verifies WAHA's X-Webhook-Hmac signature with it. "
        "The webhook button sets one for you and gives it to WAHA.",
    )
    typing_indicator: bool = flag(
        True,
        help="Show 'typing…' for a few seconds before each message, as WAHA advises "
        "against blocking.",
    )


def chat_id(recipient: str) -> str:
    """WAHA addresses a person as the international number without '+', then @c.us."""
    return recipient.lstrip("+") + "@c.us"


def session_words(status: str) -> str:
    if status.startswith("PASSKEY"):
        return "WhatsApp session is waiting for a passkey confirmation on the phone"
    return SESSION_WORDS.get(status, f"WhatsApp session is {status or 'in an unknown state'}")


def typing_pause_seconds() -> float:
    """A random pause in SKYLIGHT_TYPING_PAUSE_SECONDS ("2-6"; "0" under tests)."""
    low, _, high = str(settings.SKYLIGHT_TYPING_PAUSE_SECONDS).partition("-")
    low_value = float(low or 0)
    return random.uniform(low_value, float(high or low_value))


class WahaTransport(Transport):
    provider = "waha"
    label = "WAHA (self-hosted WhatsApp HTTP API)"
    channel_types = ("whatsapp",)
    secret_fields = ("api_key", "webhook_hmac_key")
    config_class = WahaConfig
    webhook_handler = "channels.webhooks.waha.WahaWebhook"
    webhook_setup = True
    connection_check = True
    form_note = (
        "Create and start the session in the WAHA dashboard and scan its QR code with the "
        "sending phone first. Then save, and use “Set up webhook” so WAHA signs what it "
        "sends SkyLight (HMAC-SHA512)."
    )
    # How `send()` waits out the typing pause when called directly (the channel's test
    # button). The send engine uses `send_steps()` instead: it schedules the pause and
    # serves other numbers meanwhile, so no thread sleeps.
    wait = staticmethod(time.sleep)

    def _url(self, path: str) -> str:
        return f"{self.config.base_url.rstrip('/')}/api/{path}"

    def _call(self, method: str, path: str, body: dict | None = None):
        headers = {"X-Api-Key": self.config.api_key, "Accept": "application/json"}
        return http.request(method, self._url(path), json=body, headers=headers)

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        """All the steps at once, pausing with `wait` (a blocking sleep by default)."""
        steps = self.send_steps(recipient, message)
        while True:
            try:
                self.wait(next(steps))
            except StopIteration as stop:
                return stop.value

    def send_steps(self, recipient: str, message: OutboundMessage):
        """startTyping, a pause of 2–6 s yielded to the engine, stopTyping, then the send.

        A failure of the typing indicator never stops the message.
        """
        target = chat_id(recipient)
        if self.config.typing_indicator:
            typing = {"session": self.config.session, "chatId": target}
            if self._typing("startTyping", typing):
                yield typing_pause_seconds()
                self._typing("stopTyping", typing)
        endpoint, body = payload(self.config.session, target, message)
        response = self._call("POST", endpoint, body)
        if response.is_success:
            return SendResult(provider_message_id=_answer_id(response))
        raise self._error(response)

    def _typing(self, path: str, body: dict) -> bool:
        try:
            self._call("POST", path, body)
        except TransportError as exc:
            logger.info("typing indicator skipped: %s", exc)
            return False
        return True

    def _error(self, response) -> TransportError:
        body = _json(response)
        if response.status_code == 422 and ("expected" in body or "status" in body):
            status = str(body.get("status") or "")
            words = session_words(status)
            logged_out = WAHA.get(f"session:{status}")  # the number stops: safety pause
            return TransportError(
                TransportError.TRANSIENT,
                f"HTTP 422: {words} (expected WORKING); nothing was sent."
                + (f" WAHA says {logged_out.words}." if logged_out else ""),
                code="session_not_working",
                channel_unavailable=f"{words}.",
                action=logged_out.action if logged_out else "",
            )
        if response.status_code == 401:
            return TransportError(
                TransportError.TRANSIENT,
                "HTTP 401: WAHA refused the API key; nothing was sent.",
                code="unauthorized",
                channel_unavailable="WAHA refused the API key: correct it in the channel settings.",
            )
        if response.status_code == 404:
            words = f"WAHA has no session named {self.config.session!r}"
            return TransportError(
                TransportError.TRANSIENT,
                f"HTTP 404: {words}; nothing was sent.",
                code="unknown_session",
                channel_unavailable=f"{words}: check the session name.",
            )
        detail = str(body.get("message") or body.get("error") or response.reason_phrase)
        return http.error_for_table(response, WAHA, response.status_code, detail[:300])

    def connection_state(self) -> ConnectionState:
        response = self._call("GET", f"sessions/{self.config.session}")
        if not response.is_success:
            raise self._error(response)
        status = str(_json(response).get("status") or "")
        return ConnectionState(
            ready=status == "WORKING", state=status, description=session_words(status)
        )

    def register_webhook(self, url: str) -> str:
        """Puts our URL (with the HMAC key) in the session's config.webhooks, keeping others.

        WAHA updates a session with PUT /api/sessions/{session} and a whole `config`, so
        the current config is read first and only our entry is replaced.
        """
        session = self.config.session
        current = self._call("GET", f"sessions/{session}")
        if not current.is_success:
            raise self._error(current)
        config = _json(current).get("config") or {}
        others = [hook for hook in config.get("webhooks") or [] if hook.get("url") != url]
        config["webhooks"] = [*others, self._webhook_entry(url)]
        response = self._call("PUT", f"sessions/{session}", {"name": session, "config": config})
        if not response.is_success:
            raise self._error(response)
        return f"WAHA session {session!r} now posts {', '.join(WEBHOOK_EVENTS)} to SkyLight."

    def _webhook_entry(self, url: str) -> dict:
        key = self.config.webhook_hmac_key
        return {
            "url": url,
            "events": WEBHOOK_EVENTS,
            "hmac": {"key": key} if key else None,
            "retries": {"policy": "exponential", "delaySeconds": 2, "attempts": 5},
            "customHeaders": None,
        }


def payload(session: str, target: str, message: OutboundMessage) -> tuple[str, dict]:
    """(endpoint, body) for one message."""
    body = {"session": session, "chatId": target}
    if message.type == "text":
        return "sendText", {**body, "text": message.content}
    url = message.content
    if message.type == "audio":
        file = {"mimetype": "audio/ogg; codecs=opus", "url": url}
        return "sendVoice", {**body, "file": file, "convert": True}
    filename, mimetype = media_file(message)
    if message.type == "video":
        file = {"mimetype": "video/mp4", "filename": filename, "url": url}
        return "sendVideo", {**body, "caption": message.caption, "file": file, "convert": True}
    file = {"mimetype": mimetype, "filename": filename, "url": url}
    endpoint = "sendImage" if message.type == "image" else "sendFile"
    return endpoint, {**body, "file": file, "caption": message.caption}


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _answer_id(response) -> str:
    """`key.id` (NOWEB), else `id.id` (WEBJS), else a string `id`; "" when there is none.

    A 2xx without an id is still accepted (one WEBJS release answered an empty 201);
    the statuses of such a message cannot be matched, but it must never be sent again.
    """
    data = _json(response)
    key = data.get("key") if isinstance(data.get("key"), dict) else {}
    ident = data.get("id")
    candidates = (key.get("id"), ident.get("id") if isinstance(ident, dict) else ident)
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            return candidate[:128]
    if response.content.strip() and not data:
        logger.warning("WAHA accepted a message with an unreadable answer: %.80r", response.text)
    return ""
