"""Evolution API webhooks: `messages.upsert` (inbound), `messages.update` (statuses) and
`connection.update` (an instance closed stops the number).

Evolution signs nothing: the only authenticity is the unguessable token in the webhook
URL we give it (the channel form says so). `messages.upsert` also carries our own sends
(`key.fromMe`), which are ignored. Event names may arrive as `MESSAGES_UPDATE`.
"""

from .base import MalformedWebhook, WebhookHandler, json_body
from .events import InboundEvent, NumberStoppedEvent, StatusEvent
from .whatsapp_ids import phone_of_jid

# Evolution's message status numbers and names; PENDING says nothing new.
STATUSES = {
    0: "failed",
    2: "sent",
    3: "delivered",
    4: "read",
    5: "read",
    "ERROR": "failed",
    "SERVER_ACK": "sent",
    "DELIVERY_ACK": "delivered",
    "READ": "read",
    "PLAYED": "read",
}


class EvolutionWebhook(WebhookHandler):
    def verify(self, request):
        """Nothing to verify: the URL's token already chose this channel (see module doc)."""

    def parse(self, request):
        body = json_body(request)
        if not isinstance(body, dict) or "event" not in body:
            raise MalformedWebhook("Expected an Evolution API event with `event` and `data`.")
        event = str(body.get("event") or "").lower().replace("_", ".")
        data = body.get("data")
        items = [item for item in (data if isinstance(data, list) else [data]) if item]
        parse_item = {
            "messages.upsert": _inbound,
            "messages.update": _status,
            "connection.update": _connection_closed,
        }.get(event)
        if parse_item is None:
            return []
        events = [parse_item(item) for item in items if isinstance(item, dict)]
        return [event for event in events if event is not None]


def _connection_closed(data: dict) -> NumberStoppedEvent | None:
    """`connection.update` with state `close`: WhatsApp disconnected the instance."""
    if str(data.get("state") or "").lower() != "close":
        return None
    why = data.get("statusReason")
    detail = f" (status {why})" if isinstance(why, int | str) and str(why) else ""
    return NumberStoppedEvent(
        reason=f"Evolution API reported the WhatsApp instance closed{detail}: it may be "
        "logged out. Check the phone and the number's standing before resuming."
    )


def _inbound(data: dict) -> InboundEvent | None:
    key = data.get("key") if isinstance(data.get("key"), dict) else {}
    if key.get("fromMe"):
        return None  # our own send, echoed back
    phone = phone_of_jid(key.get("remoteJid"))
    text = _text(data.get("message"))
    if not phone or text is None:
        return None
    return InboundEvent(sender=phone, text=text)


def _text(message) -> str | None:
    if not isinstance(message, dict):
        return None
    extended = message.get("extendedTextMessage")
    text = message.get("conversation") or (extended or {}).get("text")
    return text if isinstance(text, str) else None


def _status(data: dict) -> StatusEvent | None:
    if data.get("fromMe") is False:
        return None  # a receipt for a message someone sent us
    raw = data.get("status")
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    status = STATUSES.get(raw.upper() if isinstance(raw, str) else raw)
    key = data.get("key") if isinstance(data.get("key"), dict) else {}
    message_id = data.get("keyId") or key.get("id")
    if not status or not isinstance(message_id, str) or not message_id:
        return None
    error = "WhatsApp reported the message as failed (status ERROR)." if status == "failed" else ""
    return StatusEvent(message_id, status, None, error)
