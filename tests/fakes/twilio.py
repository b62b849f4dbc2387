"""Fake Twilio Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json (basic auth, form).

Outcomes: ok, rate_limited (20429 with Retry-After), server_error, rejected (21211
invalid 'To'), unsubscribed (21610), unauthorized, garbage, and coded (any Twilio
error: `code`, `status`, `message`). Plus `twilio_signature()`
computing X-Twilio-Signature the way Twilio does.
"""

import base64
import hashlib
import hmac

from .base import FakeProvider, RecordedRequest, unknown_outcome

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f" * 16 + "0" * 16
FROM_NUMBER = "+15005550006"


def twilio_error(code: int, message: str, status: int) -> tuple[dict, int]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }, status


class FakeTwilio(FakeProvider):
    def channel_config(self) -> dict:
        return {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "from_number": FROM_NUMBER}

    def recipient_of(self, request: RecordedRequest) -> str:
        return request.form.get("To", "").removeprefix("whatsapp:")

    def respond(self, outcome: str, request: RecordedRequest, **options):
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            outcome = "unauthorized"
        if request.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            return self.json_response(
                *twilio_error(20404, "The requested resource was not found", 404)
            )
        if outcome == "ok":
            form = request.form
            sid = f"SM{self.next_id():032x}"
            return self.json_response(
                {
                    "sid": sid,
                    "status": "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body", ""),
                    "num_media": "1" if "MediaUrl" in form else "0",
                },
                status=201,
            )
        if outcome == "rate_limited":
            body, status = twilio_error(20429, "Too Many Requests", 429)
            return self.json_response(
                body, status, {"Retry-After": str(options.get("retry_after", 3))}
            )
        if outcome == "server_error":
            return self.json_response(*twilio_error(20500, "Internal Server Error", 500))
        if outcome == "rejected":
            return self.json_response(
                *twilio_error(21211, "The 'To' number is not a valid phone number.", 400)
            )
        if outcome == "unsubscribed":
            return self.json_response(
                *twilio_error(21610, "Attempt to send to unsubscribed recipient", 400)
            )
        if outcome == "unauthorized":
            return self.json_response(*twilio_error(20003, "Authenticate", 401))
        if outcome == "coded":
            message = options.get("message", f"Twilio error {options['code']}")
            return self.json_response(
                *twilio_error(options["code"], message, options.get("status", 400))
            )
        if outcome == "garbage":
            return self.garbage()
        return unknown_outcome(outcome)


def twilio_signature(url: str, params: dict[str, str], auth_token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by each sorted key+value."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
