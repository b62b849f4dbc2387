"""API shape of a campaign's report (campaigns/reports.py computes it)."""

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

COUNT_HELP = {
    "sent": "Contacts whose messages the provider accepted.",
    "delivered": "Of those sent, delivered to the phone (read included).",
    "read": "Of those sent, read.",
    "replied": "Of those sent, answered.",
    "failed": "Contacts that could not be sent to.",
    "skipped": "Contacts never sent to (opted out after enrollment).",
    "opted_out": "Contacts skipped because they opted out.",
}


def _counts() -> dict:
    return {key: serializers.IntegerField(help_text=text) for key, text in COUNT_HELP.items()}


ReportTotalsSerializer = type("ReportTotalsSerializer", (serializers.Serializer,), _counts())
ReportDaySerializer = type(
    "ReportDaySerializer",
    (serializers.Serializer,),
    {
        "date": serializers.DateField(help_text="Local day (campaign timezone) reached on."),
        "campaign_day": serializers.IntegerField(allow_null=True),
        **_counts(),
    },
)


class ReportRatesSerializer(serializers.Serializer):
    """Fractions of `totals.sent` (0 when nothing was sent)."""

    delivered = serializers.FloatField()
    read = serializers.FloatField()
    replied = serializers.FloatField()
    failed = serializers.FloatField()
    opted_out = serializers.FloatField()


class ReportFailureSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=["rejected", "not_accepted", "outcome_unknown", "worker_stopped", "other"]
    )
    code = serializers.CharField(help_text="The provider's HTTP status, when there was one.")
    count = serializers.IntegerField()


class ReportStepSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the message in the sequence (1-based).")
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    read = serializers.IntegerField()


class CampaignReportSerializer(serializers.Serializer):
    days = ReportDaySerializer(many=True)
    totals = ReportTotalsSerializer()
    rates = ReportRatesSerializer()
    failures = ReportFailureSerializer(many=True, help_text="The ten most frequent failures.")
    steps = ReportStepSerializer(many=True)


REPORT_EXAMPLE = OpenApiExample(
    "A campaign on its second day",
    response_only=True,
    value={
        "success": True,
        "data": {
            "days": [
                {
                    "date": "2026-03-05",
                    "campaign_day": 1,
                    "sent": 34,
                    "delivered": 33,
                    "read": 21,
                    "replied": 0,
                    "failed": 1,
                    "skipped": 0,
                    "opted_out": 0,
                },
                {
                    "date": "2026-03-06",
                    "campaign_day": 2,
                    "sent": 33,
                    "delivered": 30,
                    "read": 12,
                    "replied": 0,
                    "failed": 0,
                    "skipped": 2,
                    "opted_out": 2,
                },
            ],
            "totals": {
                "sent": 67,
                "delivered": 63,
                "read": 33,
                "replied": 0,
                "failed": 1,
                "skipped": 2,
                "opted_out": 2,
            },
            "rates": {
                "delivered": 0.9403,
                "read": 0.4925,
                "replied": 0.0,
                "failed": 0.0149,
                "opted_out": 0.0299,
            },
            "failures": [{"reason": "rejected", "code": "400", "count": 1}],
            "steps": [
                {"index": 1, "sent": 68, "delivered": 63, "read": 33},
                {"index": 2, "sent": 67, "delivered": 60, "read": 30},
            ],
        },
    },
)
