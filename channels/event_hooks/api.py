"""`/webhook-endpoints`: where the account's events are sent, and the delivery log.

`GET|POST /webhook-endpoints`, `GET|PATCH|DELETE /webhook-endpoints/{id}`,
`POST /webhook-endpoints/{id}/roll-secret`, `GET /webhook-endpoints/{id}/deliveries`,
`POST /webhook-endpoints/{id}/deliveries/{delivery_id}/resend`. Thin views over
services.py; docs/webhooks.md describes what the endpoints receive.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from skylight.api.strict import StrictJsonTypes
from skylight.api.views import AccountScopedMixin
from skylight.audit import audit_record
from skylight.events import EVENT_TYPES
from skylight.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

from . import services


class WebhookEndpointSerializer(StrictJsonTypes, serializers.ModelSerializer):
    url = serializers.URLField(max_length=2000, help_text="Where events are POSTed (http(s)).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        min_length=1,
        max_length=len(EVENT_TYPES),
        help_text="Event types sent to this URL.",
    )
    is_active = serializers.BooleanField(required=False, default=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active", "disabled_reason", "created_at"]
        read_only_fields = ["id", "disabled_reason", "created_at"]


class WebhookEndpointUpdateSerializer(WebhookEndpointSerializer):
    is_active = serializers.BooleanField(required=False)


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    """The answer to create and roll-secret: the only times the secret is shown."""

    secret = serializers.CharField(read_only=True, help_text="Signs every request; keep it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    attempt = serializers.IntegerField(source="number")

    class Meta:
        model = WebhookAttempt
        fields = ["attempt", "batch_id", "status_code", "latency_ms", "error", "next_retry_at",
                  "created_at"]  # fmt: skip


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.id")
    event_type = serializers.CharField(source="event.type")
    attempt = serializers.IntegerField(source="attempts", help_text="Attempts made so far.")
    next_retry_at = serializers.DateTimeField(
        source="next_attempt_at", allow_null=True, help_text="When it is tried next, if pending."
    )
    attempt_log = WebhookAttemptSerializer(many=True, help_text="Every attempt, first first.")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "status", "status_code", "latency_ms",
                  "attempt", "next_retry_at", "error", "created_at", "delivered_at",
                  "attempt_log"]  # fmt: skip


ENDPOINT = {
    "id": 3,
    "url": "https://example.com/hooks/skylight",
    "events": ["campaign.started", "campaign.completed", "contact.replied"],
    "is_active": True,
    "disabled_reason": "",
    "created_at": "2026-03-05T08:00:00.000000Z",
}
SECRET = "whsec_Jx3kq9Zr0bYg2m4T6nVw8pLs1dFh5aCe7uQiXoRtKyM"
CREATE_REQUEST = OpenApiExample(
    "Subscribe a URL to campaign events and replies",
    request_only=True,
    value={"url": ENDPOINT["url"], "events": ENDPOINT["events"]},
)
CREATED = OpenApiExample(
    "A new endpoint with its secret (shown only now)",
    response_only=True,
    status_codes=["201"],
    value={**ENDPOINT, "secret": SECRET},
)
ROLLED = OpenApiExample(
    "The new secret (shown only now)", response_only=True, value={**ENDPOINT, "secret": SECRET}
)
ONE = OpenApiExample("An endpoint", response_only=True, value=ENDPOINT)
DISABLE_REQUEST = OpenApiExample("Pause deliveries", request_only=True, value={"is_active": False})
DELIVERY = OpenApiExample(
    "A delivery retried once",
    response_only=True,
    value={
        "id": 918,
        "event_id": "evt_01JNQ8Z3M4X2V7T6R5P9K8H1G0",
        "event_type": "campaign.started",
        "status": "succeeded",
        "status_code": 200,
        "latency_ms": 84,
        "attempt": 2,
        "next_retry_at": None,
        "error": "",
        "created_at": "2026-03-05T08:00:00.000000Z",
        "delivered_at": "2026-03-05T08:00:31.000000Z",
        "attempt_log": [
            {"attempt": 1, "batch_id": "", "status_code": 503, "latency_ms": 40,
             "error": "HTTP 503: busy", "next_retry_at": "2026-03-05T08:00:30.000000Z",
             "created_at": "2026-03-05T08:00:00.000000Z"},
            {"attempt": 2, "batch_id": "", "status_code": 200, "latency_ms": 84, "error": "",
             "next_retry_at": None, "created_at": "2026-03-05T08:00:31.000000Z"},
        ],
    },
)  # fmt: skip


RESENT = OpenApiExample(
    "Queued to be sent again",
    response_only=True,
    status_codes=["202"],
    value={**DELIVERY.value, "status": "pending", "next_retry_at": "2026-03-06T10:00:00.000000Z"},
)


@extend_schema(tags=["webhook-endpoints"])
class WebhookEndpointViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """URLs that receive the account's events, signed with their secret."""

    queryset = WebhookEndpoint.objects.order_by("-id")
    serializer_class = WebhookEndpointSerializer
    lookup_value_regex = r"[0-9]{1,19}"

    @extend_schema(examples=[ONE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(examples=[ONE])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointSecretSerializer},
        examples=[CREATE_REQUEST, CREATED],
    )
    def create(self, request):
        """Subscribes a URL to event types; the answer shows the signing `secret` once.

        Each event is POSTed as `{"id": "evt_<ULID>", "type", "created_at", "account_id",
        "data"}` with `X-Skylight-Event-Id`; several pending `contact.*` events may come as
        one `{"events": [...]}` (at most 100) with `X-Skylight-Batch-Id` instead. Every
        request carries `X-Skylight-Timestamp` and `X-Skylight-Signature:
        sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` under the secret. A 2xx
        acknowledges; timeouts, 5xx and 429 (after `Retry-After`) are retried with backoff
        for 24 h, other answers are final. The URL must pass the private-network guard
        (422). docs/webhooks.md has each event's `data`.
        """
        serializer = WebhookEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(
            account=self.account, **serializer.validated_data
        )
        audit_record(
            account=self.account,
            action="webhook_endpoint.created",
            target=endpoint,
            changes={"url": endpoint.url, "events": endpoint.events},
        )
        data = WebhookEndpointSecretSerializer(endpoint).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebhookEndpointUpdateSerializer(partial=True),
        responses=WebhookEndpointSerializer,
        examples=[DISABLE_REQUEST, ONE],
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        serializer = WebhookEndpointUpdateSerializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        endpoint = services.webhook_endpoint_update(endpoint=endpoint, **fields)
        audit_record(
            account=self.account,
            action="webhook_endpoint.updated",
            target=endpoint,
            changes={"fields": sorted(fields)},
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance):
        endpoint_id, url = instance.pk, instance.url
        services.webhook_endpoint_delete(endpoint=instance)
        audit_record(
            account=self.account,
            action="webhook_endpoint.deleted",
            object_id=endpoint_id,
            changes={"url": url},
        )

    @extend_schema(request=None, responses=WebhookEndpointSecretSerializer, examples=[ROLLED])
    @action(detail=True, methods=["post"], url_path="roll-secret")
    def roll_secret(self, request, pk=None):
        """A new secret signs every request from now on; the old one stops working at once."""
        endpoint = services.webhook_endpoint_roll_secret(endpoint=self.get_object())
        audit_record(account=self.account, action="webhook_endpoint.secret_rolled", target=endpoint)
        return Response(WebhookEndpointSecretSerializer(endpoint).data)

    @extend_schema(
        responses=WebhookDeliverySerializer(many=True),
        examples=[DELIVERY],
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=WebhookDelivery.Status.values,
                description="Only deliveries in this state.",
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's deliveries, newest first, each with its attempts."""
        endpoint = self.get_object()
        rows = _deliveries(endpoint)
        wanted = request.query_params.get("status")
        if wanted:  # an empty status is no filter, as in every listing
            if wanted not in WebhookDelivery.Status.values:
                raise serializers.ValidationError(
                    {"status": [f"Use one of: {', '.join(WebhookDelivery.Status.values)}."]}
                )
            rows = rows.filter(status=wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer},
        examples=[RESENT],
        parameters=[OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]{1,19})/resend",
    )
    def resend(self, request, pk=None, delivery_id=None):
        """Sends the delivery again now, with a fresh day of retries (409 while disabled)."""
        endpoint = self.get_object()
        delivery = get_object_or_404(_deliveries(endpoint), pk=delivery_id)
        delivery = services.webhook_delivery_resend(delivery=delivery)
        fresh = _deliveries(endpoint).get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)


def _deliveries(endpoint):
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event", "endpoint")
        .prefetch_related(Prefetch("attempt_log", WebhookAttempt.objects.order_by("number")))
        .order_by("-id")
    )
