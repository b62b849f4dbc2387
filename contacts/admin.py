"""Staff views of contacts, lists, segments and tags; writes keep the services' rules."""

from django import forms
from django.contrib import admin, messages

from contacts.models import Contact, ContactList, OptChange, Segment, Suppression, Tag
from contacts.segments import segment_queryset, validate_rules
from contacts.services import (
    contact_check,
    contact_create,
    contact_delete,
    contact_update,
    contacts_bulk_set_opted_out,
    contacts_delete,
)
from contacts.suppressions import suppression_add
from skylight.domain import DomainError, Invalid, error_messages


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

    def clean(self):
        """The contact services' own checks (limits, E.164 phone, unique per type)."""
        cleaned = super().clean()
        account = cleaned.get("account") or getattr(self.instance, "account", None)
        if account is None or not cleaned.get("phone") or not cleaned.get("type"):
            return cleaned
        try:
            cleaned["phone"] = contact_check(
                account=account,
                phone=cleaned["phone"],
                type=cleaned["type"],
                name=cleaned.get("name"),
                tags=[tag.name for tag in cleaned.get("tags") or ()],
                attributes=cleaned.get("attributes"),
                exclude_pk=self.instance.pk,
            )
        except Invalid as exc:
            for field, texts in exc.errors.items():
                for text in texts:
                    self.add_error(field if field in self.fields else None, text)
        return cleaned


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

    def get_readonly_fields(self, request, obj=None):
        # A contact never moves to another account (its lists and campaigns stay).
        return [*self.readonly_fields, "account"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Saves through contact_create / contact_update (tags included)."""
        data = form.cleaned_data
        fields = {
            "name": data.get("name") or "",
            "phone": data["phone"],
            "type": data["type"],
            "external_id": data.get("external_id") or "",
            "tags": [tag.name for tag in data.get("tags") or ()],
            "attributes": data.get("attributes") or {},
            "opted_out": data.get("opted_out", False),
        }
        if change:
            saved = contact_update(contact=Contact.objects.get(pk=obj.pk), **fields)
        else:
            saved = contact_create(account=data["account"], **fields)
        obj.pk, obj.opted_out_at = saved.pk, saved.opted_out_at

    def save_related(self, request, form, formsets, change):
        """Tags were saved by the service; only inlines (none) would be left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        try:
            contact_delete(contact=obj)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def delete_queryset(self, request, queryset):
        try:
            contacts_delete(contacts=queryset)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)

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
            except Invalid as exc:
                self.add_error("rules", " ".join(error_messages(exc.errors)))
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


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """The do-not-contact list; adding here opts out the contacts at the address too."""

    list_display = ["address", "channel_type", "source", "reason", "account", "created_at"]
    list_filter = ["channel_type", "source"]
    search_fields = ["address", "reason", "account__name"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    fields = ["account", "address", "channel_type", "reason", "source", "created_at"]
    readonly_fields = ["source", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # delete and add again: an entry is a fact, not a setting

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            entry, _ = suppression_add(
                account=data["account"],
                address=data["address"],
                channel_type=data["channel_type"],
                reason=data.get("reason") or "",
                source=Suppression.Source.DASHBOARD,
            )
        except Invalid as exc:
            self.message_user(request, " ".join(error_messages(exc.errors)), messages.ERROR)
            return
        obj.pk = entry.pk


@admin.register(OptChange)
class OptChangeAdmin(admin.ModelAdmin):
    """Who opted a contact out or back in by hand, and why (read-only history)."""

    list_display = ["contact", "opted_out", "reason", "changed_by", "created_at"]
    list_select_related = ["contact", "changed_by"]
    search_fields = ["contact__phone", "contact__name", "reason"]
    readonly_fields = ["contact", "opted_out", "reason", "changed_by", "created_at"]

    def has_add_permission(self, request):
        return False
