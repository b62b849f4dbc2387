"""The interface of a provider's webhook handler."""

import hmac
import json

from django.http import HttpRequest, HttpResponse, JsonResponse

from .events import Event


class WebhookRejected(Exception):
    """The request is not verifiably from the provider (answered 403, nothing changes)."""


class MalformedWebhook(Exception):
    """Verified, but not a payload we can read (answered 400)."""


class WebhookHandler:
    """Verifies and parses one provider's webhooks for one channel.

    `config` is the channel's typed provider config (secrets included).
    """

    def __init__(self, channel, config):
        self.channel = channel
        self.config = config

    def challenge(self, request: HttpRequest) -> HttpResponse | None:
        """Answers a provider's GET verification; None: GET is not part of the protocol."""
        return None

    def verify(self, request: HttpRequest) -> None:
        raise NotImplementedError

    def parse(self, request: HttpRequest) -> list[Event]:
        raise NotImplementedError

    def reply(self, counts: dict[str, int]) -> HttpResponse:
        return JsonResponse({"ok": True, **counts})


def secrets_equal(expected: str, given: str) -> bool:
    """Constant-time comparison; an unset expected secret never matches."""
    return bool(expected) and hmac.compare_digest(expected.encode(), (given or "").encode())


def json_body(request: HttpRequest):
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedWebhook(f"The body is not JSON: {exc}") from None
    except RecursionError:
        raise MalformedWebhook("The body nests too deeply.") from None
