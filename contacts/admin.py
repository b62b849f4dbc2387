"""Staff views of contacts, lists, segments and tags; writes keep the services' rules."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from rest_framework.exceptions import ValidationError as ApiValidationError

from contacts.models import Contact, ContactList, OptChange, Segment, Tag
from contacts.phones import InvalidPhone, normalize_phone
from contacts.segments import segment_queryset, validate_rules
from contacts.services import (
    contact_delete,
    contact_set_opted_out,
    contacts_bulk_set_opted_out,
    contacts_delete,
)
from skylight.api.exceptions import Conflict


class ContactAdminForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "account",
            "name",
            "phone",
            "type",
            "external_id",
            "tags",
            "attributes",
            "opted_out",
        ]

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except InvalidPhone as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactAdminForm
    list_display = ["id", "name", "phone", "type", "account", "opted_out", "created_at"]
    list_filter = ["type", "opted_out", "created_at"]
    search_fields = ["name", "phone", "external_id"]
    autocomplete_fields = ["account", "tags"]
    readonly_fields = ["opted_out_at", "created_at", "updated_at"]
    list_select_related = ["account"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    actions = ["opt_out", "opt_in"]

    def save_model(self, request, obj, form, change):
        wanted = obj.opted_out
        obj.opted_out = bool(form.initial.get("opted_out")) if change else False
        super().save_model(request, obj, form, change)
        if wanted != obj.opted_out:
            contact_set_opted_out(contact=obj, opted_out=wanted)

    def delete_model(self, request, obj):
        try:
            contact_delete(contact=obj)
        except Conflict as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)

    def delete_queryset(self, request, queryset):
        try:
            contacts_delete(contacts=queryset)
        except Conflict as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)

    @admin.action(description="Opt out the selected contacts")
    def opt_out(self, request, queryset):
        changed = contacts_bulk_set_opted_out(contacts=queryset, opted_out=True)
        self.message_user(request, f"{changed} contact(s) opted out.", messages.SUCCESS)

    @admin.action(description="Opt the selected contacts back in")
    def opt_in(self, request, queryset):
        changed = contacts_bulk_set_opted_out(contacts=queryset, opted_out=False)
        self.message_user(request, f"{changed} contact(s) opted back in.", messages.SUCCESS)


@admin.register(ContactList)
class ContactListAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "account", "members", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "description", "account__name"]
    autocomplete_fields = ["account"]
    list_select_related = ["account"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_count=Count("memberships"))

    @admin.display(description="Contacts", ordering="members_count")
    def members(self, obj) -> int:
        return obj.members_count


class SegmentAdminForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["account", "name", "rules"]

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("account")
        if account is not None and "rules" in cleaned:
            try:
                cleaned["rules"] = validate_rules(cleaned["rules"], account=account)
            except ApiValidationError as exc:
                self.add_error("rules", str(exc.detail))
        return cleaned


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentAdminForm
    list_display = ["id", "name", "account", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "account__name"]
    autocomplete_fields = ["account"]
    list_select_related = ["account"]
    readonly_fields = ["current_members"]

    @admin.display(description="Current members")
    def current_members(self, obj) -> int | str:
        return segment_queryset(obj).count() if obj.pk else "-"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "account"]
    search_fields = ["name"]
    autocomplete_fields = ["account"]
    list_select_related = ["account"]


@admin.register(OptChange)
class OptChangeAdmin(admin.ModelAdmin):
    """Who opted a contact out or back in by hand, and why (read-only history)."""

    list_display = ["contact", "opted_out", "reason", "changed_by", "created_at"]
    list_select_related = ["contact", "changed_by"]
    search_fields = ["contact__phone", "contact__name", "reason"]
    readonly_fields = ["contact", "opted_out", "reason", "changed_by", "created_at"]

    def has_add_permission(self, request):
        return False
