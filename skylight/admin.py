from django.contrib import admin, messages

from skylight.audit import audit_record
from skylight.models import (
    Account,
    ApiKey,
    AuditEvent,
    Membership,
    Plan,
    Subscription,
    UserPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from skylight.roles import OWNER_ONLY_MESSAGE, may_administer
from skylight.services import api_key_create, api_key_revoke


class OwnerManagedInline(admin.TabularInline):
    """An inline of an account that staff may edit only as the account's owners."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._allowed(request, obj)

    @staticmethod
    def _allowed(request, account) -> bool:
        return account is None or may_administer(request.user, account)


class OwnedAccountChoices:
    """Staff who are not superusers pick only accounts they own in `account` fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account" and not request.user.is_superuser:
            kwargs["queryset"] = Account.objects.filter(
                memberships__user=request.user, memberships__role=Membership.Role.OWNER
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def refuse_unless_owner(modeladmin, request, accounts) -> bool:
    """True (and a message) when the staff user may not manage one of `accounts`."""
    refused = sorted({a.name for a in accounts if not may_administer(request.user, a)})
    if refused:
        modeladmin.message_user(
            request, f"{OWNER_ONLY_MESSAGE} Not done for: {', '.join(refused)}.", messages.ERROR
        )
    return bool(refused)


def _audit_membership(membership, action: str, changes: dict) -> None:
    changes = {"user": membership.user.get_username(), **changes}
    audit_record(
        account=membership.account,
        action=action,
        target=membership,
        object_id=membership.pk or membership.user_id,
        changes=changes,
    )


class MembershipInline(OwnerManagedInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = [
        "name", "timezone", "default_country", "breaker_failure_percent",
        "breaker_min_attempts", "breaker_opt_out_limit", "created_at",
    ]  # fmt: skip
    search_fields = ["name"]
    list_filter = ["timezone", "default_country"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        """Memberships added, changed or removed here are audited one by one."""
        super().save_formset(request, form, formset, change)
        if formset.model is not Membership:
            return
        for membership in formset.new_objects:
            _audit_membership(membership, "membership.added", {"role": membership.role})
        for membership, fields in formset.changed_objects:
            _audit_membership(membership, "membership.changed", {"fields": sorted(fields)})
        for membership in formset.deleted_objects:
            _audit_membership(membership, "membership.removed", {})

    actions = ["create_api_key"]

    @admin.action(description="Create an API key (shown once)")
    def create_api_key(self, request, queryset):
        if refuse_unless_owner(self, request, queryset):
            return
        for account in queryset:
            key, raw_key = api_key_create(account=account, name="Created in admin")
            audit_record(account=account, action="api_key.created", target=key)
            self.message_user(
                request,
                f"New key for {account}: {raw_key} (copy it now; it is not shown again)",
                messages.WARNING,
            )


@admin.register(ApiKey)
class ApiKeyAdmin(OwnedAccountChoices, admin.ModelAdmin):
    list_display = ["name", "account", "prefix", "created_at", "last_used", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "account"]
    search_fields = ["name", "prefix", "account__name"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used", "revoked_at"]
    fields = ["account", "name", *readonly_fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # Keys are created with the account action, so the raw value can be shown once.
        return False

    def has_change_permission(self, request, obj=None):
        allowed = obj is None or may_administer(request.user, obj.account)
        return super().has_change_permission(request, obj) and allowed

    def has_delete_permission(self, request, obj=None):
        allowed = obj is None or may_administer(request.user, obj.account)
        return super().has_delete_permission(request, obj) and allowed

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        if refuse_unless_owner(self, request, [key.account for key in queryset]):
            return
        for key in queryset:
            api_key_revoke(api_key=key)
            audit_record(account=key.account, action="api_key.revoked", target=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "outreach_campaigns"]
    search_fields = ["name"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "plan",
        "period_start",
        "period_end",
        "outreach_campaigns_used",
        "outreach_campaigns_remaining",
    ]
    list_filter = ["plan"]
    search_fields = ["account__name"]
    list_select_related = ["account", "plan"]


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    search_fields = ["user__username"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: nobody edits or deletes history here."""

    list_display = ["created_at", "account", "actor", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "actor_type", "account"]
    search_fields = ["actor", "action", "object_type", "object_id"]
    date_hierarchy = "created_at"
    list_select_related = ["account"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Event webhook endpoints: staff may pause one or change its events; the secret is
    never shown, and URLs change only through the dashboard or the API (the guard)."""

    list_display = ["url", "account", "is_active", "disabled_reason", "created_at"]
    list_filter = ["is_active", "account"]
    search_fields = ["url", "account__name"]
    list_select_related = ["account"]
    fields = ["account", "url", "events", "is_active", "disabled_reason", "failing_since",
              "created_at"]  # fmt: skip
    readonly_fields = ["account", "url", "disabled_reason", "failing_since", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_administer(request.user, obj.account))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_administer(request.user, obj.account))

    def save_model(self, request, obj, form, change) -> None:
        if "is_active" in form.changed_data and obj.is_active:
            obj.disabled_reason, obj.failing_since = "", None
        super().save_model(request, obj, form, change)
        audit_record(
            account=obj.account,
            action="webhook_endpoint.updated",
            target=obj,
            changes={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj) -> None:
        endpoint_id, account = obj.pk, obj.account
        super().delete_model(request, obj)
        audit_record(
            account=account,
            action="webhook_endpoint.deleted",
            object_id=endpoint_id,
            changes={"url": obj.url},
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The event webhooks' delivery log, read-only."""

    list_display = ["event", "endpoint", "status", "status_code", "attempts", "next_attempt_at",
                    "created_at"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["event__id", "event__type", "endpoint__url"]
    list_select_related = ["event", "endpoint"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
