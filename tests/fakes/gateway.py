"""Fake webhook gateway: the user's own endpoint that receives SkyLight's signed JSON POSTs.

Outcomes: ok (answers {"id": "gw-N"}), ok_empty (204, no body), rate_limited
(Retry-After), server_error, rejected (400), garbage. `signature_valid(request)` checks
X-Skylight-Timestamp (within 300 s of now) and X-Skylight-Signature (HMAC-SHA256 of
"<timestamp>.<body>") with SECRET, the way a user's gateway should.
"""

import hashlib
import hmac
import time

from werkzeug import Response

from .base import FakeProvider, RecordedRequest, unknown_outcome

SECRET = "gateway-shared-secret-0123456789"
PATH = "/hooks/skylight"


MAX_SKEW_SECONDS = 300


def skylight_signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def skylight_headers(body: bytes, at: float | None = None, secret: str = SECRET) -> dict:
    """Django test-client headers signing `body` at unix time `at` (default: now)."""
    timestamp = str(int(time.time() if at is None else at))
    return {
        "HTTP_X_SKYLIGHT_TIMESTAMP": timestamp,
        "HTTP_X_SKYLIGHT_SIGNATURE": skylight_signature(body, timestamp, secret),
    }


class FakeGateway(FakeProvider):
    def channel_config(self, number: str = "") -> dict:
        """The webhook channel's settings; `number` gives the channel a path of its own
        (so `max_in_flight` is counted per number)."""
        suffix = f"/{number}" if number else ""
        return {"url": self.url + PATH + suffix, "secret": SECRET}

    def signature_valid(self, request: RecordedRequest) -> bool:
        timestamp = request.headers.get("X-Skylight-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
            return False
        sent = request.headers.get("X-Skylight-Signature", "")
        return hmac.compare_digest(sent, skylight_signature(request.body, timestamp))

    def recipient_of(self, request: RecordedRequest) -> str:
        return str(request.json().get("recipient", ""))

    def respond(self, outcome: str, request: RecordedRequest, **options):
        if outcome == "ok":
            return self.json_response({"id": f"gw-{self.next_id()}"}, status=202)
        if outcome == "ok_empty":
            return Response(status=204)
        if outcome == "rate_limited":
            headers = {"Retry-After": str(options.get("retry_after", 11))}
            return self.json_response({"error": "slow down"}, 429, headers)
        if outcome == "server_error":
            return self.json_response({"error": "boom"}, 503)
        if outcome == "rejected":
            return self.json_response({"error": "unknown recipient"}, 400)
        if outcome == "garbage":
            return self.garbage()
        return unknown_outcome(outcome)
