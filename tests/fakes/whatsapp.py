"""Fake Meta Graph API (WhatsApp Cloud): POST /{phone_number_id}/messages.

Outcomes: ok, rate_limited (retry_after), server_error, rejected (invalid recipient,
131026 as a 400), opted_out (131050), window_closed (131047: free-form text outside the
24-hour window), unauthorized, garbage, and coded (any Graph error: `code`, `status`,
`message`). Plus helpers that sign
webhook bodies the way Meta does.
"""

import hashlib
import hmac
import itertools
import json

from .base import FakeProvider, RecordedRequest, unknown_outcome

PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "EAAG-test-access-token"
APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "meta-verify-token-for-tests"
WABA_ID = "102290129340398"
TEMPLATES = [
    {
        "name": "spring_offer",
        "language": "en_US",
        "status": "APPROVED",
        "category": "MARKETING",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Spring"},
            {"type": "BODY", "text": "Hi {{1}}, our {{2}} shop has a spring offer."},
        ],
        "id": "594425479261596",
    },
    {
        "name": "order_update",
        "language": "ar",
        "status": "PAUSED",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "طلبك {{1}} في الطريق"}],
        "id": "594425479261597",
    },
]


def graph_error(message: str, code: int, status: int, **extra) -> tuple[dict, int]:
    return {"error": {"message": message, "type": "OAuthException", "code": code, **extra}}, status


class FakeWhatsApp(FakeProvider):
    def channel_config(self) -> dict:
        return {
            "phone_number_id": PHONE_NUMBER_ID,
            "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
        }

    def recipient_of(self, request: RecordedRequest) -> str:
        return str(request.json().get("to", ""))

    def answer_directly(self, request: RecordedRequest):
        """GET /{waba_id}/message_templates: the business's templates (`TEMPLATES`)."""
        if request.path != f"/{WABA_ID}/message_templates":
            return None
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return self.json_response(*graph_error("Invalid OAuth access token", 190, 401))
        return self.json_response({"data": TEMPLATES, "paging": {"cursors": {}}})

    def respond(self, outcome: str, request: RecordedRequest, **options):
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            outcome = "unauthorized"
        if request.path != f"/{PHONE_NUMBER_ID}/messages":
            return self.json_response(*graph_error("Unknown path", 100, 400))
        if outcome == "ok":
            to = request.json().get("to", "")
            body = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.FAKE{self.next_id():06d}"}],
            }
            return self.json_response(body)
        if outcome == "rate_limited":
            headers = {"Retry-After": str(options.get("retry_after", 30))}
            body, status = graph_error("Rate limit hit", 130429, 429)
            return self.json_response(body, status, headers)
        if outcome == "server_error":
            return self.json_response(*graph_error("Something went wrong", 131000, 500))
        if outcome == "rejected":
            return self.json_response(*graph_error("Message undeliverable", 131026, 400))
        if outcome == "window_closed":
            return self.json_response(
                *graph_error(
                    "Re-engagement message",
                    131047,
                    400,
                    error_data={
                        "details": "More than 24 hours have passed since the customer "
                        "last replied to this number."
                    },
                )
            )
        if outcome == "opted_out":
            return self.json_response(
                *graph_error("User has stopped marketing messages", 131050, 400)
            )
        if outcome == "unauthorized":
            return self.json_response(*graph_error("Invalid OAuth access token", 190, 401))
        if outcome == "coded":
            message = options.get("message", f"Graph error {options['code']}")
            return self.json_response(
                *graph_error(message, options["code"], options.get("status", 400))
            )
        if outcome == "garbage":
            return self.garbage()
        return unknown_outcome(outcome)


def meta_signature(body: bytes, app_secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header value Meta sends with a webhook body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def status_update(message_id: str, status: str, recipient: str = "966501234567", **extra) -> bytes:
    """A Meta webhook body carrying one message status."""
    entry = {
        "id": message_id,
        "status": status,
        "timestamp": "1767225600",
        "recipient_id": recipient,
        **extra,
    }
    return _envelope({"statuses": [entry]})


_inbound_ids = itertools.count(1)


def inbound_text(sender: str, text: str, message_id: str | None = None) -> bytes:
    """A Meta webhook body carrying one inbound text message from `sender` (digits).

    Each call gets a new message id unless one is given (a replay reuses it).
    """
    message = {
        "from": sender,
        "id": message_id or f"wamid.IN{next(_inbound_ids)}",
        "timestamp": "1767225600",
        "type": "text",
        "text": {"body": text},
    }
    return _envelope({"contacts": [{"wa_id": sender}], "messages": [message]})


def _envelope(value: dict) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        **value,
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def template_status_update(
    name: str, event: str, language: str = "en_US", reason: str = "NONE", **extra
) -> bytes:
    """A Meta webhook body saying a message template changed status (APPROVED, PAUSED...)."""
    value = {
        "event": event,
        "message_template_id": 594425479261596,
        "message_template_name": name,
        "message_template_language": language,
        "reason": reason,
        **extra,
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "time": 1767225600,
                "changes": [{"field": "message_template_status_update", "value": value}],
            }
        ],
    }
    return json.dumps(body).encode()


def number_update(field: str, value: dict) -> bytes:
    """A Meta webhook body about the number itself (`phone_number_quality_update`,
    `account_update`)."""
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": WABA_ID, "time": 1767225600, "changes": [{"field": field, "value": value}]}
        ],
    }
    return json.dumps(body).encode()
