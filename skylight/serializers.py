from rest_framework import serializers

from skylight.api.fields import SharedChoicesField, TimezoneField
from skylight.api.strict import StrictJsonTypes
from skylight.models import Account, Subscription, country_choices


class AccountSerializer(serializers.ModelSerializer):
    timezone = TimezoneField(read_only=True)
    default_country = SharedChoicesField(
        choices=country_choices(),
        allow_blank=True,
        read_only=True,
        help_text='Where phone numbers without a country code are read; "" for none.',
    )

    class Meta:
        model = Account
        fields = ["id", "name", "timezone", "default_country", "contact_cooldown_days"]
        read_only_fields = ["default_country", "contact_cooldown_days"]


class AccountUpdateSerializer(StrictJsonTypes, serializers.Serializer):
    default_country = SharedChoicesField(
        choices=country_choices(),
        allow_blank=True,
        help_text="ISO 3166 alpha-2 country in which phone numbers without a country code "
        '(0551112234) are read when contacts are created or imported; "" for none.',
    )


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
