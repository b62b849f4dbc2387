"""`GET /channels/{id}/usage`: how much of the number's day is used, and its recent days.

Routed under the channels path by campaigns/api_urls.py (it reads campaigns' tables;
channels never imports campaigns).
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from campaigns.usage import channel_usage
from channels.models import Channel, ChannelHealth
from skylight.api.views import AccountScopedMixin


class UsageDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    sent = serializers.IntegerField(help_text="People sent at least one message that day.")
    failed = serializers.IntegerField(help_text="People whose sending failed that day.")
    opted_out = serializers.IntegerField(
        help_text="People reached through this number who opted out that day."
    )
    replied = serializers.IntegerField(help_text="People who replied that day.")


class UsageTodaySerializer(serializers.Serializer):
    recipients = serializers.IntegerField(
        help_text="Distinct people sent at least one message through the number today."
    )
    attempted = serializers.IntegerField(
        help_text="Daily slots used today (people claimed for sending, shared by every "
        "campaign on the number)."
    )
    cap = serializers.IntegerField(
        allow_null=True,
        help_text="The most people the number may reach today: the highest daily limit "
        "among its running campaigns (warm-up tier, at most a third of the campaign). "
        "null while no campaign runs on it.",
    )
    remaining = serializers.IntegerField(allow_null=True)


class UsageCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    campaign_day = serializers.IntegerField()
    is_new_number = serializers.BooleanField()
    daily_limit = serializers.IntegerField()
    today_attempted = serializers.IntegerField()
    pending = serializers.IntegerField()


class ChannelUsageSerializer(serializers.Serializer):
    channel_id = serializers.IntegerField(source="channel.pk")
    date = serializers.DateField(help_text="Today, in the account's timezone.")
    timezone = serializers.CharField()
    today = serializers.SerializerMethodField()
    warmup_day = serializers.IntegerField(
        allow_null=True,
        help_text="The number's warm-up day: the campaign day its cap comes from (null "
        "while no campaign runs on it).",
    )
    health = serializers.ChoiceField(choices=ChannelHealth.choices)
    health_reason = serializers.CharField(allow_null=True)
    days = UsageDaySerializer(many=True, help_text="The last 30 days, oldest first, today last.")
    campaigns = UsageCampaignSerializer(
        many=True, help_text="The running campaigns sharing the number."
    )

    def get_today(self, usage) -> UsageTodaySerializer:
        return {
            "recipients": usage.recipients_today,
            "attempted": usage.attempted_today,
            "cap": usage.cap,
            "remaining": usage.remaining_today,
        }


EXAMPLE = OpenApiExample(
    "A number on its third warm-up day shared by two campaigns",
    response_only=True,
    value={
        "channel_id": 3,
        "date": "2026-03-07",
        "timezone": "Asia/Riyadh",
        "today": {"recipients": 41, "attempted": 43, "cap": 65, "remaining": 22},
        "warmup_day": 3,
        "health": "warning",
        "health_reason": "3 of 25 sends failed permanently in the last hour",
        "days": [
            {"date": "2026-03-05", "sent": 35, "failed": 1, "opted_out": 0, "replied": 4},
            {"date": "2026-03-06", "sent": 35, "failed": 0, "opted_out": 1, "replied": 6},
            {"date": "2026-03-07", "sent": 41, "failed": 2, "opted_out": 0, "replied": 3},
        ],
        "campaigns": [
            {
                "id": 42,
                "name": "Ramadan offers",
                "campaign_day": 3,
                "is_new_number": False,
                "daily_limit": 65,
                "today_attempted": 30,
                "pending": 310,
            },
            {
                "id": 43,
                "name": "Eid follow-up",
                "campaign_day": 1,
                "is_new_number": False,
                "daily_limit": 35,
                "today_attempted": 13,
                "pending": 90,
            },
        ],
    },
)


class ChannelUsageView(AccountScopedMixin, GenericAPIView):
    """Today's people on the number against its cap, its warm-up day, the last 30 days
    (sent, failed, opted out, replied per day, counting people), its health and the
    running campaigns sharing it."""

    queryset = Channel.objects.select_related("account")
    serializer_class = ChannelUsageSerializer
    lookup_url_kwarg = "id"

    @extend_schema(responses=ChannelUsageSerializer, examples=[EXAMPLE], tags=["channels"])
    def get(self, request, id=None):
        usage = channel_usage(channel=self.get_object())
        return Response(ChannelUsageSerializer(usage).data)
