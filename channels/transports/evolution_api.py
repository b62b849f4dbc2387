"""Evolution API v2 (self-hosted WhatsApp gateway): POST {base_url}/message/sendText/{instance}.

Every call carries the `apikey` header. Sends answer 201 with `key.id`. A 400 whose
message list holds `exists: false` means the number is not on WhatsApp (permanent: the
contact is unreachable); 404 means the instance does not exist, and a disconnected
instance cannot send: both leave the channel unavailable until it is fixed.
"""

from dataclasses import dataclass

from . import http
from .base import ConnectionState, OutboundMessage, SendResult, Transport, TransportError
from .config import matches, setting
from .error_codes import EVOLUTION
from .media import media_file
from .waha import HTTP_URL

WEBHOOK_EVENTS = ["MESSAGES_UPSERT", "MESSAGES_UPDATE", "CONNECTION_UPDATE"]
STATE_WORDS = {
    "open": "WhatsApp instance is connected",
    "connecting": "WhatsApp instance is connecting (scan the QR code in Evolution API "
    "if it shows one)",
    "close": "WhatsApp instance is disconnected: reconnect it in Evolution API",
}


@dataclass(frozen=True)
class EvolutionConfig:
    base_url: str = setting(
        check=HTTP_URL,
        help="Your Evolution API server, e.g. https://evolution.example.com (its SERVER_URL).",
    )
    api_key: str = setting(
        help="The instance token (Evolution Manager: the instance's card) or the global "
        "AUTHENTICATION_API_KEY of your server.",
    )
    instance: str = setting(
        check=matches(r"[^\s/]{1,100}", "The instance name, without spaces or slashes."),
        help="The instance name exactly as Evolution Manager lists it.",
    )


def state_words(state: str) -> str:
    return STATE_WORDS.get(state, f"WhatsApp instance is {state or 'in an unknown state'}")


class EvolutionApiTransport(Transport):
    provider = "evolution_api"
    label = "Evolution API (self-hosted WhatsApp gateway)"
    channel_types = ("whatsapp",)
    secret_fields = ("api_key",)
    config_class = EvolutionConfig
    webhook_handler = "channels.webhooks.evolution.EvolutionWebhook"
    webhook_setup = True
    connection_check = True
    form_note = (
        "Connect the instance in Evolution Manager (scan its QR code) first. Evolution API "
        "signs nothing it sends: SkyLight recognises its webhooks only by the unguessable "
        "token in this channel's webhook URL. Keep that URL private; if it leaks, connect "
        "the channel again to get a new one."
    )

    def _call(self, method: str, path: str, body: dict | None = None):
        url = f"{self.config.base_url.rstrip('/')}/{path}/{self.config.instance}"
        headers = {"apikey": self.config.api_key, "Accept": "application/json"}
        return http.request(method, url, json=body, headers=headers)

    def send(self, recipient: str, message: OutboundMessage) -> SendResult:
        number = recipient.lstrip("+")
        if message.type == "text":
            response = self._call(
                "POST", "message/sendText", {"number": number, "text": message.content}
            )
        else:
            response = self._call("POST", "message/sendMedia", media_payload(number, message))
        if response.is_success:
            key = _json(response).get("key")
            message_id = key.get("id") if isinstance(key, dict) else None
            if not isinstance(message_id, str) or not message_id:
                raise http.unparseable(response, "key.id")
            return SendResult(provider_message_id=message_id[:128])
        raise self._error(response)

    def _error(self, response) -> TransportError:
        messages = _messages(_json(response))
        if response.status_code == 400 and any(
            isinstance(item, dict) and item.get("exists") is False for item in messages
        ):
            return http.error_for_table(response, EVOLUTION, "not_on_whatsapp", "unreachable")
        if response.status_code == 404:
            words = f"Evolution API has no instance named {self.config.instance!r}"
            return _unavailable(404, "unknown_instance", words, "check the instance name")
        if response.status_code in (401, 403):
            words = "Evolution API refused the API key"
            return _unavailable(response.status_code, "unauthorized", words, "correct it")
        if any("connection closed" in str(item).lower() for item in messages):
            words = STATE_WORDS["close"]
            return _unavailable(response.status_code, "connection_closed", words, "")
        detail = "; ".join(str(item) for item in messages)[:300] or response.reason_phrase
        return http.error_for_table(response, EVOLUTION, response.status_code, detail)

    def connection_state(self) -> ConnectionState:
        response = self._call("GET", "instance/connectionState")
        if not response.is_success:
            raise self._error(response)
        instance = _json(response).get("instance")
        state = str((instance or {}).get("state") or "") if isinstance(instance, dict) else ""
        return ConnectionState(ready=state == "open", state=state, description=state_words(state))

    def register_webhook(self, url: str) -> str:
        body = {"webhook": {"enabled": True, "url": url, "events": WEBHOOK_EVENTS}}
        response = self._call("POST", "webhook/set", body)
        if not response.is_success:
            raise self._error(response)
        return (
            f"Evolution instance {self.config.instance!r} now posts "
            f"{', '.join(WEBHOOK_EVENTS)} to SkyLight."
        )


def media_payload(number: str, message: OutboundMessage) -> dict:
    filename, mimetype = media_file(message)
    body = {
        "number": number,
        "mediatype": message.type,
        "mimetype": mimetype,
        "media": message.content,
    }
    if message.type != "audio":
        body["caption"] = message.caption
        body["fileName"] = filename
    return body


def _unavailable(status: int, code: str, words: str, fix: str) -> TransportError:
    """Nothing was sent, and nothing will be until the instance or settings are fixed."""
    return TransportError(
        TransportError.TRANSIENT,
        f"HTTP {status}: {words}; nothing was sent.",
        code=code,
        channel_unavailable=f"{words}: {fix} in the channel settings." if fix else f"{words}.",
    )


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _messages(body: dict) -> list:
    """`response.message` of an Evolution error: a list (sometimes a single string)."""
    inner = body.get("response") if isinstance(body.get("response"), dict) else {}
    message = inner.get("message", body.get("message"))
    if isinstance(message, list):
        return message
    return [message] if message else []
