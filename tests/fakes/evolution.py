"""Fake Evolution API v2, as described in the providers' wire facts.

Sends (scripted): POST /message/sendText/{instance} and /message/sendMedia/{instance},
answered 201 with `key.id`. Outcomes: ok, not_on_whatsapp (400 with `exists: false`),
rate_limited (429 with Retry-After `retry_after`),
unknown_instance (404), unauthorized (401), server_error (500), garbage. A wrong
`apikey` header is always 401; another instance name is always 404.

Answered directly: GET /instance/connectionState/{instance} (state from `state`) and
POST /webhook/set/{instance} (stores the body's `webhook` in `webhook`). Plus builders
for Evolution webhook bodies (Evolution signs nothing).
"""

import json

from werkzeug import Response

from .base import FakeProvider, RecordedRequest, unknown_outcome

API_KEY = "evolution-test-api-key-0123"
INSTANCE = "skylight-test"
SEND_PREFIXES = ("/message/sendText/", "/message/sendMedia/")


def evolution_error(status: int, error: str, message) -> tuple[dict, int]:
    return {"status": status, "error": error, "response": {"message": message}}, status


def _missing_instance(name: str) -> tuple[dict, int]:
    return evolution_error(404, "Not Found", [f'The "{name}" instance does not exist'])


class FakeEvolution(FakeProvider):
    def __init__(self):
        super().__init__()
        self.state = "open"
        self.webhook: dict | None = None

    def reset(self) -> "FakeEvolution":
        super().reset()
        self.state = "open"
        self.webhook = None
        return self

    def channel_config(self, **extra) -> dict:
        return {"base_url": self.url, "api_key": API_KEY, "instance": INSTANCE, **extra}

    @property
    def sends(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(SEND_PREFIXES)]

    def recipient_of(self, request: RecordedRequest) -> str:
        return str(request.json().get("number", ""))

    def answer_directly(self, request: RecordedRequest) -> Response | None:
        given = {key.lower(): value for key, value in request.headers.items()}.get("apikey")
        if given != API_KEY:
            return self.json_response(*evolution_error(401, "Unauthorized", "Unauthorized"))
        instance = request.path.rstrip("/").rsplit("/", 1)[-1]
        if request.path.startswith(SEND_PREFIXES):
            return (
                None if instance == INSTANCE else self.json_response(*_missing_instance(instance))
            )
        if instance != INSTANCE:
            return self.json_response(*_missing_instance(instance))
        if request.path.startswith("/instance/connectionState/"):
            return self.json_response({"instance": {"instanceName": INSTANCE, "state": self.state}})
        if request.path.startswith("/webhook/set/") and request.method == "POST":
            self.webhook = request.json().get("webhook")
            return self.json_response({"id": "wh1", **(self.webhook or {})}, 201)
        return self.json_response(*evolution_error(404, "Not Found", ["Cannot find route"]))

    def respond(self, outcome: str, request: RecordedRequest, **options):
        number = str(request.json().get("number", ""))
        if outcome == "ok":
            key = {
                "remoteJid": f"{number}@s.whatsapp.net",
                "fromMe": True,
                "id": f"BAE5{self.next_id():012X}",
            }
            return self.json_response(
                {"key": key, "message": {}, "messageTimestamp": "1767225600", "status": "PENDING"},
                201,
            )
        if outcome == "not_on_whatsapp":
            detail = [{"jid": f"{number}@s.whatsapp.net", "exists": False, "number": number}]
            return self.json_response(*evolution_error(400, "Bad Request", detail))
        if outcome == "rate_limited":
            headers = {"Retry-After": str(options.get("retry_after", 20))}
            body, status = evolution_error(429, "Too Many Requests", ["Rate limit exceeded"])
            return self.json_response(body, status, headers)
        if outcome == "unknown_instance":
            return self.json_response(*_missing_instance(INSTANCE))
        if outcome == "unauthorized":
            return self.json_response(*evolution_error(401, "Unauthorized", "Unauthorized"))
        if outcome == "server_error":
            return self.json_response(
                *evolution_error(500, "Internal Server Error", ["Connection Closed"])
            )
        if outcome == "garbage":
            return self.garbage()
        return unknown_outcome(outcome)


def _envelope(event: str, data: dict) -> bytes:
    body = {
        "event": event,
        "instance": INSTANCE,
        "data": data,
        "destination": "https://example.invalid/webhooks/",
        "date_time": "2026-03-05T08:00:00.000Z",
        "sender": "966500000001@s.whatsapp.net",
        "server_url": "http://localhost:8080",
        "apikey": "instance-token",
    }
    return json.dumps(body).encode()


def upsert(digits: str, text: str, *, from_me: bool = False, message_id: str = "3A1F") -> bytes:
    """A `messages.upsert` event: a text from `digits` (or our own echo with from_me)."""
    return _envelope(
        "messages.upsert",
        {
            "key": {"remoteJid": f"{digits}@s.whatsapp.net", "fromMe": from_me, "id": message_id},
            "pushName": "Someone",
            "message": {"conversation": text},
            "messageType": "conversation",
            "messageTimestamp": 1767225600,
        },
    )


def update(digits: str, key_id: str, status) -> bytes:
    """A `messages.update` event: our message `key_id` reached `status` (number or name)."""
    return _envelope(
        "messages.update",
        {
            "keyId": key_id,
            "remoteJid": f"{digits}@s.whatsapp.net",
            "fromMe": True,
            "status": status,
            "instanceId": "f1c2",
        },
    )


def connection_update(state: str, status_reason: int = 401) -> bytes:
    """A `connection.update` event: the instance is `open`, `connecting` or `close`."""
    return _envelope(
        "connection.update",
        {"instance": INSTANCE, "state": state, "statusReason": status_reason},
    )
