"""Event webhook test helpers: a receiver on 127.0.0.1 that checks every signature, and
an endpoint made through the API (so the test holds the secret it was shown once)."""

import hashlib
import hmac
import json
from collections import deque
from dataclasses import dataclass

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from skylight.events import EVENT_TYPES


@dataclass
class Received:
    headers: dict
    body: bytes
    status: int

    def json(self):
        return json.loads(self.body)

    @property
    def events(self) -> list[dict]:
        """The events this request carried (one, or a batch's `events`)."""
        body = self.json()
        return body["events"] if "events" in body else [body]


class Receiver:
    """Answers with a script of statuses (then 200), recording each request."""

    PATH = "/hooks/skylight"

    def __init__(self, server: HTTPServer):
        self.server = server
        self.requests: list[Received] = []
        self.script: deque[tuple[int, dict]] = deque()
        self.default = 200
        server.expect_request(self.PATH).respond_with_handler(self._answer)

    @property
    def url(self) -> str:
        return self.server.url_for(self.PATH)

    def then(self, status: int, times: int = 1, **headers) -> None:
        self.script.extend([(status, headers)] * times)

    def _answer(self, request: Request) -> Response:
        status, headers = self.script.popleft() if self.script else (self.default, {})
        self.requests.append(Received(dict(request.headers), request.get_data(), status))
        return Response("ok" if status < 300 else "no", status=status, headers=headers)

    def accepted_events(self) -> list[dict]:
        return [event for r in self.requests if r.status < 300 for event in r.events]


def signature_ok(secret: str, received: Received) -> bool:
    timestamp = received.headers["X-Skylight-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(received.headers["X-Skylight-Signature"], f"sha256={expected}")


def create_endpoint(api, url: str, events=EVENT_TYPES) -> dict:
    response = api.post(
        "/api/v1/webhook-endpoints", {"url": url, "events": list(events)}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["data"]
