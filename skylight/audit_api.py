"""`GET /audit-events`: the account's audit log, newest first, filterable."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from skylight.api.views import AccountScopedMixin
from skylight.filters import TextFilter
from skylight.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    """`object_type` + `object_id`, `actor`, `action` (or its prefix: `campaign.`), `since`,
    `until`."""

    object_type = TextFilter(max_length=32)
    object_id = TextFilter(max_length=64)
    actor = TextFilter(max_length=150)
    action = TextFilter(method="filter_action", max_length=64)
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "actor", "action", "since", "until"]

    def filter_action(self, queryset, name, value):
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(action=value)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_type",
            "actor",
            "action",
            "object_type",
            "object_id",
            "changes",
            "ip",
        ]


EXAMPLE = OpenApiExample(
    "A campaign started through the API",
    response_only=True,
    value={
        "id": 412,
        "created_at": "2026-03-05T08:00:00.000000Z",
        "actor_type": "api_key",
        "actor": "sk_3f9a1c2b…",
        "action": "campaign.started",
        "object_type": "campaign",
        "object_id": "17",
        "changes": {"status": ["draft", "running"]},
        "ip": "203.0.113.7",
    },
)


@extend_schema(
    summary="Who changed what, when and from where", examples=[EXAMPLE], tags=["audit-events"]
)
class AuditEventListView(AccountScopedMixin, ListAPIView):
    queryset = AuditEvent.objects.order_by("-id")
    serializer_class = AuditEventSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter
