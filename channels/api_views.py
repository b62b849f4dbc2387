"""`/channels` endpoints: thin views over channels.services."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from skylight.api.exceptions import error_response
from skylight.api.views import AccountScopedModelViewSet
from skylight.audit import audit_record

from . import services
from .models import Channel
from .serializers import ChannelSerializer, ChannelTestResultSerializer, ChannelTestSerializer
from .transports import ConfigError, TransportError

TRANSPORT_ERROR_STATUS = {
    TransportError.PERMANENT: 422,
    TransportError.TRANSIENT: 502,
    TransportError.UNKNOWN: 502,
}


class ChannelFilter(django_filters.FilterSet):
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

    @extend_schema(request=ChannelTestSerializer, responses=ChannelTestResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Sends one text message through the channel now (422/502 naming the provider error)."""
        channel = self.get_object()
        serializer = ChannelTestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recipient = serializer.validated_data.get("phone") or serializer.validated_data["recipient"]
        try:
            result = services.channel_send_test(
                channel=channel, recipient=recipient, text=serializer.validated_data.get("text", "")
            )
        except ConfigError as exc:
            errors = {f"config.{field}": messages for field, messages in exc.errors.items()}
            return error_response(422, "The channel's stored settings are invalid.", errors)
        except TransportError as exc:
            return error_response(
                TRANSPORT_ERROR_STATUS[exc.kind],
                f"The provider did not accept the message ({exc.kind}): {exc.message}",
                {"transport": [str(exc)]},
            )
        data = {"provider_message_id": result.provider_message_id, "recipient": recipient}
        return Response(data, status=status.HTTP_200_OK)
