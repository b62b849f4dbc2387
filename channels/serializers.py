"""API representation of channels: provider config with secrets write-only."""

from rest_framework import serializers

from channels.models import Channel
from channels.transports import TRANSPORTS
from contacts.phones import normalize_phone
from contacts.serializers import PhoneField
from skylight.api.strict import StrictJsonTypes


class ProviderConfigField(serializers.DictField):
    """A provider's settings; documented per provider by `channels.openapi`."""


class ChannelSerializer(StrictJsonTypes, serializers.ModelSerializer):
    """A connected channel. `config` is write-through except the provider's secret fields,
    which are accepted on write and never returned; `webhook_url` is where the provider
    should post statuses and inbound messages; `unavailable_reason` (empty when the
    channel can send) says why the provider cannot send right now, since
    `unavailable_since`; `health` (`ok`, `warning`, `paused`) is the number's standing with
    sender safety, and `health_reason` says why in figures."""

    config = ProviderConfigField(required=False)
    webhook_url = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "type",
            "provider",
            "config",
            "phone",
            "is_active",
            "webhook_url",
            "unavailable_reason",
            "unavailable_since",
            "health",
            "health_reason",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "created_at",
            "webhook_url",
            "unavailable_reason",
            "unavailable_since",
            "health",
            "health_reason",
        ]

    def get_webhook_url(self, channel) -> str:
        return channel.webhook_url_for(self.context.get("request"))

    def validate_phone(self, value: str) -> str:
        return normalize_phone(value) if value and value.strip() else ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        transport_cls = TRANSPORTS.get(instance.provider)
        config = instance.config if isinstance(instance.config, dict) else {}
        data["config"] = transport_cls.public_config(config) if transport_cls else {}
        return data


class ChannelTestSerializer(StrictJsonTypes, serializers.Serializer):
    """`POST /channels/{id}/test`: `phone` (E.164) or, for Telegram, `recipient` (chat id)."""

    phone = PhoneField(required=False)
    recipient = serializers.CharField(required=False, max_length=64)
    text = serializers.CharField(required=False, max_length=4096, allow_blank=True)

    def validate_phone(self, value: str) -> str:
        return normalize_phone(value)

    def validate(self, attrs):
        if not attrs.get("phone") and not attrs.get("recipient"):
            raise serializers.ValidationError({"phone": ["Give the phone number to send to."]})
        return attrs


class ConnectionStateSerializer(serializers.Serializer):
    """What the provider says about the channel's connection (`ready`: it can send now)."""

    ready = serializers.BooleanField()
    state = serializers.CharField()
    description = serializers.CharField()


class ChannelTestResultSerializer(serializers.Serializer):
    provider_message_id = serializers.CharField(
        help_text="Empty when the provider accepted the message without naming it."
    )
    recipient = serializers.CharField()
    connection = ConnectionStateSerializer(
        allow_null=True, help_text="The session/instance state, for gateways that report one."
    )


class ChannelWebhookResultSerializer(serializers.Serializer):
    """`POST /channels/{id}/webhook`: the URL registered with the provider, and what it did."""

    webhook_url = serializers.CharField()
    detail = serializers.CharField()


class MessageTemplateSerializer(serializers.Serializer):
    """A WhatsApp message template of the channel's business account, as Meta lists it."""

    name = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField(help_text="APPROVED, PENDING, REJECTED, PAUSED, DISABLED…")
    category = serializers.CharField()
    body = serializers.CharField(help_text="The body text, with {{1}}, {{2}}… variables.")
    variables = serializers.ListField(
        child=serializers.IntegerField(), help_text="The body's variable numbers, in order."
    )
