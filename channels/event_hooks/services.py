"""Webhook endpoint write services: create, update, delete, roll the secret, resend."""

import secrets

from django.db import transaction
from django.utils import timezone

from skylight.domain import Conflict, Invalid
from skylight.events import EVENT_TYPES, RETRY_FOR, deliveries_enqueue
from skylight.models import WebhookDelivery, WebhookEndpoint

from ..transports import TransportError
from ..transports.http import check_target

MAX_ENDPOINTS = 20
UPDATABLE_FIELDS = ("url", "events", "is_active")


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def _check_url(url: str) -> str:
    """An http(s) URL the private-network guard lets through (422 on `url` otherwise)."""
    url = (url or "").strip()
    try:
        check_target(url)
    except TransportError as exc:
        raise Invalid({"url": [exc.message]}) from None
    return url


def _check_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise Invalid({"events": ["Choose at least one event type."]})
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise Invalid(
            {"events": [f"Unknown event type {unknown[0]!r}; use: {', '.join(EVENT_TYPES)}."]}
        )
    return [event for event in EVENT_TYPES if event in set(events)]


def webhook_endpoint_create(
    *, account, url: str, events, is_active: bool = True
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (readable on the returned instance only now)."""
    url, events = _check_url(url), _check_events(events)
    if WebhookEndpoint.objects.filter(account=account).count() >= MAX_ENDPOINTS:
        raise Invalid({"url": [f"An account has at most {MAX_ENDPOINTS} webhook endpoints."]})
    return WebhookEndpoint.objects.create(
        account=account, url=url, events=events, is_active=is_active, secret=new_secret()
    )


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Changes url, events or is_active; enabling clears the reason it was disabled."""
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"webhook_endpoint_update() cannot change {', '.join(sorted(unknown))}")
    if "url" in fields:
        fields["url"] = _check_url(fields["url"])
    if "events" in fields:
        fields["events"] = _check_events(fields["events"])
    if fields.get("is_active") and not endpoint.is_active:
        fields.update(disabled_reason="", failing_since=None)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*fields, "updated_at"])
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Deletes the endpoint with its delivery log (events stay for other endpoints)."""
    endpoint.delete()


def webhook_endpoint_roll_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret signs every request from now on; the old one stops at once."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sends the delivery again now, with a fresh day of retries (409 while disabled)."""
    if not delivery.endpoint.is_active:
        raise Conflict("The endpoint is disabled; enable it before resending.")
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=now,
            retry_until=now + RETRY_FOR,
            error="",
        )
        transaction.on_commit(lambda: deliveries_enqueue([delivery.endpoint_id]))
    delivery.refresh_from_db()
    return delivery
