from django.contrib import admin, messages

from skylight.models import Account, ApiKey, Membership, Plan, Subscription, UserPreference
from skylight.services import api_key_create, api_key_revoke


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "created_at"]
    search_fields = ["name"]
    list_filter = ["timezone"]
    inlines = [MembershipInline]
    actions = ["create_api_key"]

    @admin.action(description="Create an API key (shown once)")
    def create_api_key(self, request, queryset):
        for account in queryset:
            _, raw_key = api_key_create(account=account, name="Created in admin")
            self.message_user(
                request,
                f"New key for {account}: {raw_key} (copy it now; it is not shown again)",
                messages.WARNING,
            )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "prefix", "created_at", "last_used", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "account"]
    search_fields = ["name", "prefix", "account__name"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used", "revoked_at"]
    fields = ["account", "name", *readonly_fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # Keys are created with the account action, so the raw value can be shown once.
        return False

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(api_key=key)
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
