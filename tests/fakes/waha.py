"""Fake WAHA (self-hosted WhatsApp HTTP API), as described in the providers' wire facts.

Sends (scripted): POST /api/sendText|sendImage|sendFile|sendVoice|sendVideo, answered 201.
Outcomes: ok (the NOWEB answer, `key.id`), ok_webjs (the WEBJS answer, `id.id`),
ok_empty (201 with no body), session_stopped (422 session status not WORKING),
rate_limited (429 with Retry-After `retry_after`),
unknown_session (404), unauthorized (401), server_error (500), garbage.
A wrong `X-Api-Key` is always 401.

Answered directly (never scripted): POST /api/startTyping and /api/stopTyping (201),
GET /api/sessions/{session} (state from `session_status`), PUT /api/sessions/{session}
(stores `config` in `session_config`). Plus builders for WAHA webhook bodies and the
headers WAHA signs them with.
"""

import hashlib
import hmac
import json
import time

from werkzeug import Response

from .base import FakeProvider, RecordedRequest, unknown_outcome

API_KEY = "waha-test-api-key-0123"
SESSION = "default"
HMAC_KEY = "waha-webhook-hmac-key-for-tests"
SEND_PATHS = {
    "/api/sendText",
    "/api/sendImage",
    "/api/sendFile",
    "/api/sendVoice",
    "/api/sendVideo",
}
TYPING_PATHS = {"/api/startTyping", "/api/stopTyping"}
ME = {"id": "966500000001@c.us", "pushName": "SkyLight Test"}


class FakeWaha(FakeProvider):
    def __init__(self):
        super().__init__()
        self.session_status = "WORKING"
        self.session_config: dict = {}

    def reset(self) -> "FakeWaha":
        super().reset()
        self.session_status = "WORKING"
        self.session_config = {}
        return self

    def channel_config(self, **extra) -> dict:
        return {"base_url": self.url, "api_key": API_KEY, "session": SESSION, **extra}

    @property
    def sends(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path in SEND_PATHS]

    def recipient_of(self, request: RecordedRequest) -> str:
        return str(request.json().get("chatId", ""))

    def answer_directly(self, request: RecordedRequest):
        if request.headers.get("X-Api-Key") != API_KEY:
            return self.json_response({"message": "Unauthorized", "statusCode": 401}, 401)
        if request.path in TYPING_PATHS:
            return Response(status=201)
        session_path = f"/api/sessions/{SESSION}"
        if request.path.rstrip("/").startswith("/api/sessions/"):
            if request.path.rstrip("/") != session_path:
                return self.json_response({"message": "Session not found", "statusCode": 404}, 404)
            if request.method == "PUT":
                self.session_config = request.json().get("config") or {}
            return self.json_response(self.session_info())
        return None

    def session_info(self) -> dict:
        return {
            "name": SESSION,
            "status": self.session_status,
            "me": ME if self.session_status == "WORKING" else None,
            "engine": {"engine": "NOWEB"},
            "config": self.session_config,
        }

    def respond(self, outcome: str, request: RecordedRequest, **options):
        if request.path not in SEND_PATHS:
            return self.json_response({"message": f"Cannot POST {request.path}"}, 404)
        chat_id = request.json().get("chatId", "")
        message_id = f"3EB0{self.next_id():016X}"
        if outcome == "ok":
            key = {"remoteJid": chat_id, "fromMe": True, "id": message_id}
            return self.json_response({"key": key, "status": "PENDING", "message": {}}, 201)
        if outcome == "ok_webjs":
            serialized = f"true_{chat_id}_{message_id}"
            body = {
                "id": {
                    "fromMe": True,
                    "remote": chat_id,
                    "id": message_id,
                    "_serialized": serialized,
                },
                "ack": 0,
                "body": request.json().get("text", ""),
            }
            return self.json_response(body, 201)
        if outcome == "ok_empty":
            return Response(status=201)
        if outcome == "session_stopped":
            return self.json_response(
                {
                    "error": "Session status is not as expected. Try again later or restart the "
                    "session",
                    "session": SESSION,
                    "status": options.get("status", "STOPPED"),
                    "expected": ["WORKING"],
                },
                422,
            )
        if outcome == "unknown_session":
            return self.json_response({"message": "Session not found", "statusCode": 404}, 404)
        if outcome == "rate_limited":
            headers = {"Retry-After": str(options.get("retry_after", 20))}
            return self.json_response(
                {"message": "Too Many Requests", "statusCode": 429}, 429, headers
            )
        if outcome == "unauthorized":
            return self.json_response({"message": "Unauthorized", "statusCode": 401}, 401)
        if outcome == "server_error":
            return self.json_response({"statusCode": 500, "message": "Internal error"}, 500)
        if outcome == "garbage":
            return self.garbage()
        return unknown_outcome(outcome)


def waha_event(event: str, payload: dict, *, timestamp_ms: int | None = None) -> bytes:
    """A WAHA webhook body (the envelope around one event's payload)."""
    stamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    body = {
        "id": f"evt_{stamp}",
        "timestamp": stamp,
        "event": event,
        "session": SESSION,
        "me": ME,
        "payload": payload,
        "engine": "NOWEB",
        "environment": {"version": "2025.1.1", "engine": "NOWEB", "tier": "CORE"},
    }
    return json.dumps(body).encode()


def inbound_message(digits: str, text: str) -> bytes:
    """A `message` event: someone at `digits` (no '+') wrote `text`."""
    return waha_event(
        "message",
        {
            "id": f"false_{digits}@c.us_AAA{digits[-4:]}",
            "timestamp": int(time.time()),
            "from": f"{digits}@c.us",
            "fromMe": False,
            "to": ME["id"],
            "body": text,
            "hasMedia": False,
        },
    )


def message_ack(digits: str, message_id: str, ack: int, ack_name: str) -> bytes:
    """A `message.ack` event for one of our messages (id in WAHA's serialized form)."""
    return waha_event(
        "message.ack",
        {
            "id": f"true_{digits}@c.us_{message_id}",
            "from": f"{digits}@c.us",
            "fromMe": True,
            "ack": ack,
            "ackName": ack_name,
        },
    )


def signed_headers(body: bytes, key: str = HMAC_KEY, *, timestamp_ms: int | None = None) -> dict:
    """The headers WAHA sends with a webhook when the session has an HMAC key."""
    stamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    return {
        "X-Webhook-Request-Id": f"req_{stamp}",
        "X-Webhook-Timestamp": str(stamp),
        "X-Webhook-Hmac": hmac.new(key.encode(), body, hashlib.sha512).hexdigest(),
        "X-Webhook-Hmac-Algorithm": "sha512",
    }


def session_status(status: str) -> bytes:
    """A `session.status` event: the session moved to `status` (WORKING, FAILED, ...)."""
    return waha_event("session.status", {"name": SESSION, "status": status})
