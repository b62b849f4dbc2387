from rest_framework import serializers

from channels.models import Channel


class ChannelSerializer(serializers.ModelSerializer):
    """Placeholder until the channels API lands: public fields only."""

    class Meta:
        model = Channel
        fields = ["id", "name", "type", "provider", "phone", "is_active", "created_at"]
