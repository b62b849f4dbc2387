"""`/suppressions`: the account's do-not-contact list over the API.

`GET|POST /suppressions`, `DELETE /suppressions/{id}`, `POST /suppressions/import`
(CSV). Writes go through contacts.suppressions, which also opts out the contacts at a
suppressed address.
"""

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contacts.models import ChannelType, Suppression
from contacts.suppressions import suppression_add, suppression_delete, suppressions_import_csv
from skylight.api.views import AccountScopedMixin
from skylight.audit import audit_record

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class SuppressionSerializer(serializers.ModelSerializer):
    address = serializers.CharField(
        max_length=64, help_text="E.164 phone (WhatsApp, SMS) or provider address (Telegram)."
    )
    channel_type = serializers.ChoiceField(choices=ChannelType.choices)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(
        choices=[(Suppression.Source.API, "API")],
        required=False,
        default=Suppression.Source.API,
        help_text="How it was added: api, stop, import or dashboard (only api when posting).",
    )

    class Meta:
        model = Suppression
        fields = ["id", "address", "channel_type", "reason", "source", "created_at"]
        read_only_fields = ["id", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["source"] = instance.source
        return data


class SuppressionImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with an `address` (or `phone`) column, `reason`.")
    channel_type = serializers.ChoiceField(
        choices=ChannelType.choices, default=ChannelType.WHATSAPP
    )

    def validate_file(self, file):
        if file.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError("The file is larger than 50 MB.")
        return file


class SuppressionImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    rejected = serializers.ListField(child=serializers.DictField())


class SuppressionFilter(django_filters.FilterSet):
    channel_type = django_filters.ChoiceFilter(choices=ChannelType.choices)
    source = django_filters.ChoiceFilter(choices=Suppression.Source.choices)
    search = django_filters.CharFilter(field_name="address", lookup_expr="icontains")

    class Meta:
        model = Suppression
        fields = ["channel_type", "source", "search"]


@extend_schema(tags=["suppressions"])
class SuppressionViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Addresses never to message; a STOP from anyone adds one."""

    queryset = Suppression.objects.order_by("-id")
    serializer_class = SuppressionSerializer
    filterset_class = SuppressionFilter
    lookup_value_regex = r"[0-9]{1,19}"

    @extend_schema(
        # 201 when the address is new; 200 with the existing entry when already listed.
        responses={201: SuppressionSerializer, 200: SuppressionSerializer},
        examples=[
            OpenApiExample(
                "Suppress a number",
                value={
                    "address": "+966501234567",
                    "channel_type": "whatsapp",
                    "reason": "Asked by phone not to be contacted",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry, created = suppression_add(
            account=self.account,
            address=data["address"],
            channel_type=data["channel_type"],
            reason=data.get("reason", ""),
            source=Suppression.Source.API,
        )
        if created:
            audit_record(
                account=self.account,
                action="suppression.created",
                target=entry,
                changes={"address": entry.address, "channel_type": entry.channel_type},
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(entry).data, status=code)

    def perform_destroy(self, instance):
        entry_id = instance.pk
        suppression_delete(suppression=instance)
        audit_record(
            account=self.account,
            action="suppression.deleted",
            object_id=entry_id,
            changes={"address": instance.address, "channel_type": instance.channel_type},
        )

    @extend_schema(
        request={"multipart/form-data": SuppressionImportSerializer},
        responses=SuppressionImportResultSerializer,
        summary="Import suppressions from a CSV file",
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request):
        serializer = SuppressionImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = suppressions_import_csv(
            account=self.account,
            file=serializer.validated_data["file"],
            channel_type=serializer.validated_data["channel_type"],
        )
        audit_record(
            account=self.account,
            action="suppression.imported",
            changes={"created": result["created"], "rejected": len(result["rejected"])},
        )
        return Response(result)
