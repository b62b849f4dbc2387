from rest_framework import serializers

from skylight.api.fields import TimezoneField
from skylight.models import Account, Subscription


class AccountSerializer(serializers.ModelSerializer):
    timezone = TimezoneField(read_only=True)

    class Meta:
        model = Account
        fields = ["id", "name", "timezone", "default_country"]
        read_only_fields = ["default_country"]


class QuotaSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()


class SubscriptionSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.name")
    outreach_campaigns = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = ["plan", "period_start", "period_end", "outreach_campaigns"]

    def get_outreach_campaigns(self, subscription) -> QuotaSerializer:
        return {
            "limit": subscription.plan.outreach_campaigns,
            "used": subscription.outreach_campaigns_used,
            "remaining": subscription.outreach_campaigns_remaining,
        }
