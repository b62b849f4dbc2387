"""`/campaigns` endpoints: thin views over the campaign services and selectors."""

import re

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import exports, previews, reports, selectors, services
from campaigns.api_examples import CREATE_REQUEST, CREATED, TEST_SEND_REQUEST, TEST_SEND_RESULT
from campaigns.filters import VISIBLE_CONTACT_STATUSES, CampaignFilter
from campaigns.models import Campaign
from campaigns.pagination import CampaignContactPagination
from campaigns.report_serializers import REPORT_EXAMPLE, CampaignReportSerializer
from campaigns.serializers import (
    CampaignContactSerializer,
    CampaignCreateSerializer,
    CampaignSerializer,
    CampaignTestSendResultSerializer,
    CampaignTestSendSerializer,
    CampaignUpdateSerializer,
)
from contacts.models import Contact
from skylight.api.exceptions import error_response
from skylight.api.renderers import EnvelopeJSONRenderer
from skylight.api.views import AccountScopedMixin, CachedReadMixin
from skylight.audit import audit_record
from skylight.csv_export import CSVErrorsAsJSON, CSVRenderer, csv_schema

CONTACTS_CSV_EXAMPLE = (
    "name,phone,status,sent_at,delivered_at,read_at,replied_at,skip_reason,error\r\n"
    "Sara,'+966501111111,sent,2026-03-05T09:12:00.000000Z,2026-03-05T09:12:04.000000Z,,,,\r\n"
    "Omar,'+966502222222,skipped,,,,,Contact opted out before sending.,\r\n"
)


TRANSITION_VERBS = {
    "campaign_start": "started",
    "campaign_pause": "paused",
    "campaign_resume": "resumed",
    "campaign_cancel": "cancelled",
}


class CampaignViewSet(
    CSVErrorsAsJSON,
    CachedReadMixin,
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Campaigns of the key's account: CRUD on drafts and the lifecycle actions."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CampaignFilter

    def get_queryset(self):
        if self.action == "contacts":
            return super().get_queryset()
        return selectors.campaign_queryset(account=self.account).order_by("-id")

    def retrieve(self, request, *args, **kwargs):
        return self.cached_read(super().retrieve, request, *args, **kwargs)

    def get_object(self):
        # The API's most frequent reads find their campaign through precompiled queries.
        read = {"retrieve": selectors.campaign_get, "contacts": selectors.campaign_row}.get(
            self.action
        )
        if read is None:
            return super().get_object()
        pk = str(self.kwargs["pk"])
        campaign = None
        if re.fullmatch(r"[0-9]{1,19}", pk) and int(pk) < 2**63:
            campaign = read(account=self.account, pk=int(pk))
        if campaign is None:
            raise Http404
        self.check_object_permissions(self.request, campaign)
        return campaign

    def list(self, request, *args, **kwargs):
        return self.cached_read(super().list, request, *args, **kwargs)

    def _campaign_response(self, campaign: Campaign, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=campaign.pk)
        return Response(CampaignSerializer(fresh).data, status=status_code)

    @extend_schema(
        request=CampaignCreateSerializer,
        responses={201: CampaignSerializer},
        examples=[CREATE_REQUEST, CREATED],
    )
    def create(self, request):
        serializer = CampaignCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_create(account=self.account, **serializer.validated_data)
        audit_record(account=self.account, action="campaign.created", target=campaign)
        return self._campaign_response(campaign, status.HTTP_201_CREATED)

    # PUT changes only what is sent, like PATCH: documented with the partial shape.
    @extend_schema(request=CampaignUpdateSerializer(partial=True), responses=CampaignSerializer)
    def update(self, request, pk=None):
        campaign = self.get_object()
        serializer = CampaignUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_update(campaign=campaign, **serializer.validated_data)
        changed = {"fields": sorted(serializer.validated_data)}
        audit_record(
            account=self.account, action="campaign.updated", target=campaign, changes=changed
        )
        return self._campaign_response(campaign)

    @extend_schema(request=CampaignUpdateSerializer, responses=CampaignSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)

    def destroy(self, request, pk=None):
        campaign = self.get_object()
        campaign_id = campaign.pk
        services.campaign_delete(campaign=campaign)
        audit_record(account=self.account, action="campaign.deleted", object_id=campaign_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, service):
        campaign = self.get_object()
        before = campaign.status
        campaign = service(campaign=campaign)
        audit_record(
            account=self.account,
            action=f"campaign.{TRANSITION_VERBS[service.__name__]}",
            target=campaign,
            changes={"status": [before, campaign.status]},
        )
        return self._campaign_response(campaign)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(services.campaign_start)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._transition(services.campaign_pause)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._transition(services.campaign_resume)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(services.campaign_cancel)

    @extend_schema(
        request=CampaignTestSendSerializer,
        responses=CampaignTestSendResultSerializer,
        examples=[TEST_SEND_REQUEST, TEST_SEND_RESULT],
        summary="Send the campaign's messages now to one phone, as a test",
    )
    @action(detail=True, methods=["post"], url_path="test-send")
    def test_send(self, request, pk=None):
        """Renders each message for a contact (placeholders, one spintax pick) and sends
        them in order through the campaign's channel now, stopping at the first refusal.

        A test creates no campaign contact and no delivery and counts against no limit.
        200 lists each message tried (accepted with the provider's id, or the error);
        409 when the channel is inactive or not connected (nothing sent); 429 past
        `SKYLIGHT_TEST_SENDS_PER_MINUTE` test sends per account.
        """
        campaign = self.get_object()
        serializer = CampaignTestSendSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        channel = campaign.channel
        address = previews.trial_address(
            account=self.account, channel=channel, raw=serializer.validated_data["phone"]
        )
        if wait := previews.trial_wait_seconds(account=self.account):
            return error_response(
                429,
                f"Too many test sends; try again in {wait:.0f} s.",
                headers={"Retry-After": str(int(wait))},
            )
        contact = (
            serializer.validated_data.get("contact_id")
            or Contact.objects.filter(
                account=self.account, type=channel.type, phone=address
            ).first()
            or previews.sample_contact(account=self.account, campaign=campaign)
        )
        seed = f"preview:{contact.pk if contact else 0}"
        rendered = previews.render_messages(
            list(campaign.messages.all()), previews.recipient_of(contact), seed
        )
        outcomes = previews.campaign_test_send(channel=channel, address=address, messages=rendered)
        audit_record(
            account=self.account,
            action="campaign.test_sent",
            target=campaign,
            changes={"channel_id": channel.pk, "sent": sum(o.accepted for o in outcomes)},
        )
        data = {
            "recipient": address,
            "contact_id": contact.pk if contact else None,
            "messages": [
                {
                    "position": outcome.position,
                    "accepted": outcome.accepted,
                    "provider_message_id": outcome.provider_message_id,
                    "error": outcome.error,
                }
                for outcome in outcomes
            ],
        }
        return Response(CampaignTestSendResultSerializer(data).data)

    @extend_schema(responses=CampaignReportSerializer, examples=[REPORT_EXAMPLE])
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """Outcomes per day and in total, rates, top failures and the per-message funnel."""
        report = reports.campaign_report(campaign=self.get_object())
        return Response(CampaignReportSerializer(report).data)

    @extend_schema(
        responses=csv_schema(
            "The campaign's contacts as CSV (a download). Cells a spreadsheet would run "
            "as a formula (starting with = + - @, tab or CR) are prefixed with '.",
            CONTACTS_CSV_EXAMPLE,
        ),
        parameters=[
            OpenApiParameter("status", str, enum=[value for value, _ in VISIBLE_CONTACT_STATUSES]),
        ],
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="contacts/export",
        filter_backends=[],
        renderer_classes=[EnvelopeJSONRenderer, CSVRenderer],
    )
    def contacts_export(self, request, pk=None):
        """Streams every contact of the campaign (filtered by `status`) as CSV."""
        campaign = self.get_object()
        return exports.campaign_contacts_csv(campaign=campaign, params=request.query_params)

    @extend_schema(
        responses=CampaignContactSerializer(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=[value for value, _ in VISIBLE_CONTACT_STATUSES]),
            OpenApiParameter(
                "cursor",
                {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"},
                description="meta.next_cursor of the previous page (opaque; others are 422)",
            ),
        ],
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=CampaignContactPagination,
    )
    def contacts(self, request, pk=None):
        return self.cached_read(self._contacts, request, pk=pk)

    def _contacts(self, request, pk=None):
        campaign = self.get_object()
        rows = selectors.campaign_contact_rows(campaign=campaign, params=request.query_params)
        total = selectors.campaign_contact_total(
            campaign=campaign, status=request.query_params.get("status")
        )
        paginator = CampaignContactPagination()
        page = paginator.paginate_rows(rows, request, total=total)
        data = CampaignContactSerializer(page, many=True).data
        return paginator.get_paginated_response(data)
