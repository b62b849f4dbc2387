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
    should post statuses and inbound messages."""

    config = ProviderConfigField(required=False)
    webhook_url = serializers.CharField(read_only=True)

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
            "created_at",
        ]
        read_only_fields = ["id", "created_at", "webhook_url"]

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


class ChannelTestResultSerializer(serializers.Serializer):
    provider_message_id = serializers.CharField()
    recipient = serializers.CharField()
