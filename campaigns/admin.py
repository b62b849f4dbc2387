"""Campaigns in the Django admin: counters and progress at a glance, lifecycle actions.

Every change of state goes through campaigns.services, exactly as the API's do;
campaigns are created through the API or the dashboard, which enrol their contacts.
"""

from django.contrib import admin, messages

from campaigns import progress, services
from campaigns.models import Campaign, CampaignContact, CampaignMessage
from skylight.api.exceptions import Conflict
from skylight.audit import audit_record

COUNTERS = ["total_contacts", "pending_count", "sent_count", "failed_count", "skipped_count"]


class CampaignMessageInline(admin.TabularInline):
    model = CampaignMessage
    extra = 0
    fields = ["position", "type", "content", "caption", "filename"]


def _lifecycle_action(service, verb: str, description: str):
    """An admin action applying `service` to each selected campaign, reporting refusals."""

    def action(modeladmin, request, queryset):
        done = 0
        for campaign in queryset:
            try:
                changed = service(campaign=campaign)
                done += 1
            except Conflict as refusal:
                modeladmin.message_user(request, f"{campaign}: {refusal.detail}", messages.WARNING)
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
        editable = campaign is None or campaign.status == "draft"
        return editable and super().has_change_permission(request, campaign)

    def get_deleted_objects(self, objs, request):
        """Names the campaigns only: collecting a million enrolled rows would hang the page."""
        names = [str(campaign) for campaign in objs]
        return names, {Campaign._meta.verbose_name_plural: len(names)}, set(), []

    def delete_model(self, request, campaign) -> None:
        services.campaign_delete(campaign=campaign)

    def delete_queryset(self, request, queryset) -> None:
        for campaign in queryset:
            try:
                services.campaign_delete(campaign=campaign)
            except Conflict as refusal:
                self.message_user(request, f"{campaign}: {refusal.detail}", messages.WARNING)


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
