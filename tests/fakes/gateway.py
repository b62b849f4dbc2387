"""Fake webhook gateway: the user's own endpoint that receives SkyLight's signed JSON POSTs.

Outcomes: ok (answers {"id": "gw-N"}), ok_empty (204, no body), rate_limited
(Retry-After), server_error, rejected (400), garbage. `signature_valid(request)` checks
X-Skylight-Signature with SECRET.
"""

import hashlib
import hmac

from werkzeug import Response

from .base import FakeProvider, RecordedRequest, unknown_outcome

SECRET = "gateway-shared-secret-0123456789"
PATH = "/hooks/skylight"


def skylight_signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FakeGateway(FakeProvider):
    def channel_config(self, number: str = "") -> dict:
        """The webhook channel's settings; `number` gives the channel a path of its own
        (so `max_in_flight` is counted per number)."""
        suffix = f"/{number}" if number else ""
        return {"url": self.url + PATH + suffix, "secret": SECRET}

    def signature_valid(self, request: RecordedRequest) -> bool:
        sent = request.headers.get("X-Skylight-Signature", "")
        return hmac.compare_digest(sent, skylight_signature(request.body))

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
