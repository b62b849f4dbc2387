"""Twilio webhooks: status callbacks (MessageStatus) and inbound messages (Body).

Verified with `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the auth token, of
the full URL Twilio called followed by every POST parameter as key+value, keys sorted.
The URL is the channel's public webhook URL (what Twilio was given), or the URL this
request arrived at when no proxy rewrote it.
"""

import base64
import hashlib
import hmac

from django.http import HttpResponse

from ..transports.twilio import OPT_OUT_CODES
from .base import WebhookHandler, WebhookRejected, secrets_equal
from .events import BlockedEvent, InboundEvent, StatusEvent

STATUS_MAP = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
}
INBOUND = {"received", "receiving"}
OPT_OUT_TYPES = {"STOP": "STOP", "START": "START"}


def twilio_signature(url: str, params, auth_token: str) -> str:
    data = url
    for key in sorted(params.keys()):
        for value in sorted(params.getlist(key)):
            data += f"{key}{value}"
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class TwilioWebhook(WebhookHandler):
    def verify(self, request):
        given = request.headers.get("X-Twilio-Signature", "")
        query = request.META.get("QUERY_STRING", "")
        public = self.channel.webhook_url + (f"?{query}" if query else "")
        for url in dict.fromkeys((public, request.build_absolute_uri())):
            if secrets_equal(twilio_signature(url, request.POST, self.config.auth_token), given):
                return
        raise WebhookRejected("Bad X-Twilio-Signature.")

    def parse(self, request):
        params = request.POST
        status = params.get("MessageStatus") or params.get("SmsStatus") or ""
        if status in INBOUND or (not status and "Body" in params):
            sender = params.get("From", "").removeprefix("whatsapp:")
            # Twilio's Advanced Opt-Out names the outcome of custom keywords too.
            text = OPT_OUT_TYPES.get(params.get("OptOutType", "").upper()) or params.get("Body", "")
            event_id = params.get("MessageSid") or params.get("SmsSid") or ""
            return [InboundEvent(sender=sender, text=text, provider_event_id=event_id)]
        if status in STATUS_MAP and params.get("MessageSid"):
            code = params.get("ErrorCode", "")
            error = f"Twilio error {code}" if code else ""
            events = [StatusEvent(params["MessageSid"], STATUS_MAP[status], None, error)]
            if code.isdigit() and int(code) in OPT_OUT_CODES and params.get("To"):
                blocked = params["To"].removeprefix("whatsapp:")
                event_id = f"{params['MessageSid']}:{status}"
                events.append(BlockedEvent(sender=blocked, provider_event_id=event_id))
            return events
        return []

    def reply(self, counts):
        """Twilio reads the answer to an inbound message as TwiML: an empty one sends nothing."""
        return HttpResponse("<Response></Response>", content_type="text/xml")
