"""`/channels` endpoints: thin views over channels.services."""

from dataclasses import asdict

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from contacts.models import ChannelType
from skylight.api.exceptions import error_response
from skylight.api.schema import ERROR_SCHEMA
from skylight.api.views import AccountScopedMixin, AccountScopedModelViewSet
from skylight.audit import audit_record
from skylight.filters import StrictBooleanFilter

from . import services
from .connection import channel_connection_state, channel_templates, channel_webhook_register
from .models import Channel
from .serializers import (
    ChannelSerializer,
    ChannelTestResultSerializer,
    ChannelTestSerializer,
    ChannelWebhookResultSerializer,
    MessageTemplateSerializer,
)
from .transports import ConfigError, TransportError, provider_choices

TRANSPORT_ERROR_STATUS = {
    TransportError.PERMANENT: 422,
    TransportError.TRANSIENT: 502,
    TransportError.UNKNOWN: 502,
}


class ChannelFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=ChannelType.choices)
    provider = django_filters.ChoiceFilter(choices=provider_choices())
    is_active = StrictBooleanFilter()

    class Meta:
        model = Channel
        fields = ["type", "provider", "is_active"]


class ChannelViewSet(AccountScopedModelViewSet):
    """Connected channels of the key's account."""

    queryset = Channel.objects.order_by("-id")
    serializer_class = ChannelSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ChannelFilter

    def perform_create(self, serializer):
        serializer.instance = services.channel_create(
            account=self.account, **serializer.validated_data
        )
        audit_record(account=self.account, action="channel.created", target=serializer.instance)

    def perform_update(self, serializer):
        serializer.instance = services.channel_update(
            channel=serializer.instance, partial=serializer.partial, **serializer.validated_data
        )
        audit_record(
            account=self.account,
            action="channel.updated",
            target=serializer.instance,
            changes={"fields": sorted(serializer.validated_data)},
        )

    def perform_destroy(self, instance):
        channel_id = instance.pk
        services.channel_delete(channel=instance)
        audit_record(account=self.account, action="channel.deleted", object_id=channel_id)

    @extend_schema(
        request=ChannelTestSerializer,
        responses={
            200: ChannelTestResultSerializer,
            502: OpenApiResponse(
                ERROR_SCHEMA, description="The provider failed or could not be reached."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Asks a gateway for its session state first, then sends one text message now.

        409 when the session/instance is not connected (nothing is sent); 422/502 naming
        the provider error otherwise.
        """
        channel = self.get_object()
        serializer = ChannelTestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recipient = serializer.validated_data.get("phone") or serializer.validated_data["recipient"]
        try:
            state = channel_connection_state(channel=channel)
            if state is not None and not state.ready:
                return error_response(
                    409,
                    f"{state.description}; nothing was sent.",
                    {"connection": [state.description]},
                )
            result = services.channel_send_test(
                channel=channel, recipient=recipient, text=serializer.validated_data.get("text", "")
            )
        except ConfigError as exc:
            return _config_error(exc)
        except TransportError as exc:
            return _transport_error(exc, "The provider did not accept the message")
        data = {
            "provider_message_id": result.provider_message_id,
            "recipient": recipient,
            "connection": asdict(state) if state else None,
        }
        return Response(data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=ChannelWebhookResultSerializer)
    @action(detail=True, methods=["post"])
    def webhook(self, request, pk=None):
        """Registers the channel's webhook URL with its provider (Telegram, WAHA, Evolution).

        422 when SKYLIGHT_PUBLIC_URL is not https or the provider has no API for it.
        """
        channel = self.get_object()
        try:
            detail = channel_webhook_register(channel=channel)
        except ConfigError as exc:
            return _config_error(exc)
        except TransportError as exc:
            return _transport_error(exc, "The provider refused the webhook")
        return Response({"webhook_url": channel.webhook_url, "detail": detail})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "refresh", OpenApiTypes.BOOL, description="Ask Meta again instead of the cache."
            )
        ],
        responses=MessageTemplateSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def templates(self, request, pk=None):
        """The WhatsApp Cloud API channel's message templates (cached for an hour)."""
        channel = self.get_object()
        refresh = request.query_params.get("refresh", "").lower() in ("1", "true", "yes")
        try:
            templates = channel_templates(channel=channel, refresh=refresh)
        except TransportError as exc:
            return _transport_error(exc, "Meta did not list the templates")
        return Response(templates)


def _config_error(exc: ConfigError):
    errors = {f"config.{field}": messages for field, messages in exc.errors.items()}
    return error_response(422, "The channel's stored settings are invalid.", errors)


def _transport_error(exc: TransportError, what: str):
    # A refused API key is the user's setting to fix, not a passing provider fault.
    status_code = 422 if exc.code == "unauthorized" else TRANSPORT_ERROR_STATUS[exc.kind]
    return error_response(
        status_code, f"{what} ({exc.kind}): {exc.message}", {"transport": [str(exc)]}
    )


class AccountChannelsView(AccountScopedMixin, ListAPIView):
    """`GET /account/channels`: the key's account's channels, oldest first."""

    queryset = Channel.objects.order_by("id")
    serializer_class = ChannelSerializer
