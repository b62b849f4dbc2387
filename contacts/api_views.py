"""Contacts, lists and segments over the API: thin views over selectors and services."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from contacts import selectors, services
from contacts.api_examples import CONTACT_CREATE, SEGMENT_CREATE
from contacts.exports import contacts_csv
from contacts.filters import ContactFilter, ContactListFilter, SegmentFilter
from contacts.importing import audit_import, import_contacts_csv
from contacts.models import ChannelType, Segment
from contacts.serializers import (
    ContactImportSerializer,
    ContactListSerializer,
    ContactSerializer,
    ImportResultSerializer,
    ListMembersResultSerializer,
    ListMembersSerializer,
    SegmentSerializer,
)
from skylight.api.exceptions import error_response
from skylight.api.renderers import EnvelopeJSONRenderer
from skylight.api.views import AccountScopedModelViewSet, CachedReadMixin
from skylight.csv_export import CSVErrorsAsJSON, CSVRenderer, csv_schema
from skylight.uploads import upload_limit_text, upload_too_large

ID_PATTERN = r"[0-9]{1,19}"


@extend_schema_view(create=extend_schema(examples=CONTACT_CREATE))
class ContactViewSet(CSVErrorsAsJSON, CachedReadMixin, AccountScopedModelViewSet):
    """Contacts of the key's account; a phone is unique per account and channel type."""

    queryset = selectors.contacts_for_listing()
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if self.action == "list":  # rows only read: their tags as a plain prefetched list
            return selectors.contacts_for_api_listing().filter(account=self.account)
        return super().get_queryset()

    def list(self, request, *args, **kwargs):
        return self.cached_read(super().list, request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(
            account=self.account, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.contact_update(contact=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance)

    @extend_schema(
        responses=csv_schema(
            "The contacts matching the listing's filters as CSV (a download): fields, tags "
            "(separated by ;) and attributes (JSON). Formula-like cells are prefixed with '.",
            "id,name,phone,type,external_id,opted_out,opted_out_at,created_at,tags,attributes\r\n"
            "7,Sara,'+966501111111,whatsapp,,false,,2026-03-01T10:00:00.000000Z,vip,"
            '"{""city"": ""Riyadh""}"\r\n',
        ),
        summary="Export the contacts (same filters as the listing) as CSV",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        renderer_classes=[EnvelopeJSONRenderer, CSVRenderer],
        pagination_class=None,
    )
    def export(self, request):
        return contacts_csv(self.filter_queryset(self.get_queryset()))

    @extend_schema(
        request={"multipart/form-data": ContactImportSerializer},
        responses=ImportResultSerializer,
        summary="Import contacts from a CSV file (existing phones are updated)",
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request):
        too_large = f"The file is larger than {upload_limit_text()}."
        if upload_too_large(request):  # announced too large: refused before reading
            return error_response(413, too_large)
        data = request.data  # streams in; the upload handler skips a file over the cap
        if upload_too_large(request):
            return error_response(413, too_large)
        serializer = ContactImportSerializer(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = import_contacts_csv(
            account=self.account,
            file=data["file"],
            type=data["type"],
            contact_list=data.get("list_id"),
            mapping=data.get("mapping"),
            default_country=data.get("default_country"),
        )
        audit_import(account=self.account, result=result, contact_list=data.get("list_id"))
        return Response(result.as_dict())


class ContactListViewSet(AccountScopedModelViewSet):
    """Contact lists of the key's account, with their member counts."""

    queryset = selectors.lists_with_counts()
    serializer_class = ContactListSerializer
    filterset_class = ContactListFilter
    lookup_value_regex = ID_PATTERN

    def perform_create(self, serializer):
        created = services.list_create(account=self.account, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=created.pk)

    def perform_update(self, serializer):
        services.list_update(contact_list=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.list_delete(contact_list=instance)

    @extend_schema(request=ListMembersSerializer, responses={200: ListMembersResultSerializer})
    @action(detail=True, methods=["post", "delete"], url_path="contacts")
    def members(self, request, pk=None):
        contact_list = self.get_object()
        serializer = ListMembersSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["contact_ids"]
        if request.method == "POST":
            changed = {
                "added": services.list_add_contacts(contact_list=contact_list, contact_ids=ids)
            }
        else:
            changed = {
                "removed": services.list_remove_contacts(contact_list=contact_list, contact_ids=ids)
            }
        contact_list.refresh_from_db(fields=["members_count"])
        return Response({**changed, "contacts_count": contact_list.members_count})


@extend_schema_view(create=extend_schema(examples=SEGMENT_CREATE))
class SegmentViewSet(AccountScopedModelViewSet):
    """Rule-based segments of the key's account; members are evaluated at each request."""

    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer
    filterset_class = SegmentFilter
    lookup_value_regex = ID_PATTERN

    def perform_create(self, serializer):
        serializer.instance = services.segment_create(
            account=self.account, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.segment_update(segment=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.segment_delete(segment=instance)

    @extend_schema(
        responses=ContactSerializer(many=True),
        parameters=[
            OpenApiParameter("search", str),
            OpenApiParameter("tag", str),
            OpenApiParameter("type", str, enum=ChannelType.values),
            OpenApiParameter("list_id", int),
            OpenApiParameter("opted_out", bool),
        ],
    )
    @action(detail=True, methods=["get"], url_path="contacts", filterset_class=None)
    def contacts(self, request, pk=None):
        members = selectors.segment_members(segment=self.get_object())
        members = ContactFilter(request.query_params, queryset=members, request=request)
        if not members.is_valid():
            raise ValidationError(members.errors)
        page = self.paginate_queryset(members.qs)
        return self.get_paginated_response(ContactSerializer(page, many=True).data)
