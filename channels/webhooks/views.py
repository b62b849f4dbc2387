"""The one endpoint every provider posts to: /webhooks/<channel webhook token>/."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from skylight import metrics

from ..models import Channel
from ..transports import TRANSPORTS, ConfigError
from .apply import events_apply
from .base import MalformedWebhook, WebhookRejected
from .replay import first_deliveries
from .storable import storable_events

logger = logging.getLogger("skylight.webhooks")


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


def handler_for(channel):
    """The channel's provider webhook handler, or None if its provider sends none."""
    transport_cls = TRANSPORTS.get(channel.provider)
    if transport_cls is None or not transport_cls.webhook_handler:
        return None
    return import_string(transport_cls.webhook_handler)(
        channel, transport_cls.parse_config(channel.config)
    )


@csrf_exempt
def receive(request, token: str):
    """Verifies, parses and applies one provider webhook (403 on a bad signature)."""
    response = _receive(request, token)
    metrics.webhook_received(getattr(request, "webhook_provider", "none"), response.status_code)
    return response


def _receive(request, token: str):
    channel = Channel.objects.select_related("account").filter(webhook_token=token).first()
    if channel is None:
        return _error(404, "Unknown webhook.")
    request.webhook_provider = channel.provider
    try:
        handler = handler_for(channel)
    except ConfigError:
        return _error(403, "The channel's settings cannot verify this request.")
    if handler is None:
        return _error(404, "This channel's provider sends no webhooks.")
    try:
        if request.method == "GET":
            return handler.challenge(request) or _error(405, "Use POST.")
        if request.method != "POST":
            return _error(405, "Use POST.")
        handler.verify(request)
        events = handler.parse(request)
    except WebhookRejected as exc:
        logger.warning("webhook rejected channel=%s: %s", channel.pk, exc)
        return _error(403, str(exc))
    except MalformedWebhook as exc:
        return _error(400, str(exc))
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        # A verified body of an unexpected shape: tell the provider, change nothing.
        logger.warning("webhook unreadable channel=%s: %r", channel.pk, exc)
        return _error(400, "The body is not in the shape this provider sends.")
    except RequestDataTooBig:
        return _error(413, "The body is too large.")
    with first_deliveries(channel, storable_events(events)) as fresh:
        counts = events_apply(channel=channel, events=fresh)
    return handler.reply(counts)
