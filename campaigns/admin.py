"""Campaigns in the Django admin: counters and progress at a glance, lifecycle actions.

Every change goes through campaigns.services, exactly as the API's do (a draft's
settings through `campaign_update`, lifecycle actions through their verbs);
campaigns are created through the API or the dashboard, which enroll their contacts.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin, messages

from campaigns import progress, services
from campaigns.models import Campaign, CampaignContact, CampaignMessage
from skylight.audit import audit_record
from skylight.domain import DomainError

COUNTERS = ["total_contacts", "pending_count", "sent_count", "failed_count", "skipped_count"]


class CampaignMessageInline(admin.TabularInline):
    """The sequence, read-only here: the API and the dashboard edit it with its rules."""

    model = CampaignMessage
    extra = 0
    fields = ["position", "type", "content", "caption", "filename"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CampaignAdminForm(forms.ModelForm):
    """A draft's settings; saved through `campaign_update`, like the API's PATCH."""

    class Meta:
        model = Campaign
        fields = ["name", "is_new_number", "timezone", "send_window_start", "send_window_end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("send_window_start"), cleaned.get("send_window_end")
        if (start is None) != (end is None):
            self.add_error("send_window_end", "Give both ends of the send window, or neither.")
        elif start is not None and start == end:
            self.add_error("send_window_end", "The window must not start and end together.")
        try:
            ZoneInfo(cleaned.get("timezone") or "")
        except (ZoneInfoNotFoundError, ValueError):
            self.add_error("timezone", "Not a known IANA time zone, e.g. Asia/Riyadh.")
        return cleaned


def _lifecycle_action(service, verb: str, description: str):
    """An admin action applying `service` to each selected campaign, reporting refusals."""

    def action(modeladmin, request, queryset):
        done = 0
        for campaign in queryset:
            try:
                changed = service(campaign=campaign)
                done += 1
            except DomainError as refusal:
                modeladmin.message_user(request, f"{campaign}: {refusal.message}", messages.WARNING)
            else:
                audit_record(
                    account=campaign.account,
                    action=f"campaign.{verb}",
                    target=changed,
                    changes={"status": [campaign.status, changed.status]},
                )
        if done:
            modeladmin.message_user(request, f"{done} campaign(s) {verb}.", messages.SUCCESS)

    action.__name__ = f"{verb}_campaigns"
    return admin.action(description=description)(action)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "account",
        "channel",
        "status",
        "campaign_day",
        *COUNTERS,
        "progress",
        "daily_limit",
        "remaining_today",
        "created_at",
    ]
    list_filter = ["status", "channel", "is_new_number"]
    list_select_related = ["account", "channel"]
    search_fields = ["name", "account__name"]
    date_hierarchy = "created_at"
    form = CampaignAdminForm
    inlines = [CampaignMessageInline]
    readonly_fields = [
        "account",
        "channel",
        "status",
        *COUNTERS,
        "progress",
        "daily_limit",
        "remaining_today",
        "enrollment",
        "campaign_day",
        "last_active_date",
        "today_date",
        "today_attempted",
        "next_send_at",
        "scheduled_start_at",
        "started_at",
        "paused_at",
        "paused_by",
        "pause_reason",
        "completed_at",
        "cancelled_at",
        "created_at",
    ]
    fields = [
        "name",
        "is_new_number",
        "timezone",
        "send_window_start",
        "send_window_end",
        *readonly_fields,
    ]
    actions = [
        _lifecycle_action(services.campaign_pause, "paused", "Pause the selected campaigns"),
        _lifecycle_action(services.campaign_resume, "resumed", "Resume the selected campaigns"),
        _lifecycle_action(services.campaign_cancel, "cancelled", "Cancel the selected campaigns"),
    ]

    @admin.display(description="Progress")
    def progress(self, campaign) -> str:
        return f"{progress.progress_percentage(campaign)}%"

    @admin.display(description="Daily limit")
    def daily_limit(self, campaign) -> int:
        return progress.current_daily_limit(campaign)

    @admin.display(description="Left today")
    def remaining_today(self, campaign) -> int:
        return progress.remaining_today(campaign)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, campaign=None) -> bool:
        editable = campaign is None or campaign.can_edit
        return editable and super().has_change_permission(request, campaign)

    def get_deleted_objects(self, objs, request):
        """Names the campaigns only: collecting a million enrolled rows would hang the page."""
        names = [str(campaign) for campaign in objs]
        return names, {Campaign._meta.verbose_name_plural: len(names)}, set(), []

    def save_model(self, request, campaign, form, change) -> None:
        data = form.cleaned_data
        start, end = data.get("send_window_start"), data.get("send_window_end")
        try:
            services.campaign_update(
                campaign=campaign,
                name=data["name"],
                is_new_number=data["is_new_number"],
                timezone=data["timezone"],
                send_window={"start": start, "end": end} if start else None,
            )
        except DomainError as refusal:
            self.message_user(request, f"{campaign}: {refusal.message}", messages.ERROR)

    def save_related(self, request, form, formsets, change) -> None:
        """The messages are read-only here: nothing of theirs is saved (or logged)."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, campaign) -> None:
        try:
            services.campaign_delete(campaign=campaign)
        except DomainError as refusal:
            self.message_user(request, f"{campaign}: {refusal.message}", messages.ERROR)

    def delete_queryset(self, request, queryset) -> None:
        for campaign in queryset:
            try:
                services.campaign_delete(campaign=campaign)
            except DomainError as refusal:
                self.message_user(request, f"{campaign}: {refusal.message}", messages.WARNING)


@admin.register(CampaignContact)
class CampaignContactAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "contact", "status", "attempts", "sent_at", "error"]
    list_filter = ["status"]
    list_select_related = ["campaign", "contact"]
    raw_id_fields = ["campaign", "contact"]
    search_fields = ["contact__phone", "contact__name"]
    show_full_result_count = False
    readonly_fields = ["claimed_at", "sent_at", "provider_message_id", "delivery_status"]

    def has_add_permission(self, request) -> bool:
        return False
