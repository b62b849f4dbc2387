"""Contacts, contact lists and rule-based segments."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from skylight.models import Account


class ChannelType(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    SMS = "sms", "SMS"


class Tag(models.Model):
    """A label on contacts, unique by name within an account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=64)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="unique_tag")]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person reachable on one channel type at one E.164 phone number."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=255, blank=True, default="")
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +966501234567")
    type = models.CharField(
        max_length=16, choices=ChannelType.choices, default=ChannelType.WHATSAPP
    )
    external_id = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Provider address when it is not the phone, e.g. a Telegram chat id.",
    )
    tags = models.ManyToManyField(Tag, related_name="contacts", blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    opted_out = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "type", "phone"], name="unique_contact_phone_per_type"
            )
        ]
        indexes = [models.Index(fields=["account", "name"], name="contact_account_name")]

    def __str__(self) -> str:
        return f"{self.name or self.phone} ({self.type})"

    @property
    def address(self) -> str:
        """Where a transport delivers: the provider id when known, else the phone."""
        return self.external_id or self.phone


class ContactList(models.Model):
    """A static, hand-picked or imported group of contacts."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_lists")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="", max_length=2000)
    contacts = models.ManyToManyField(Contact, through="ListMembership", related_name="lists")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # Names pick lists in forms and segment rules, so two lists cannot share one
            # (ignoring case).
            models.UniqueConstraint(Lower("name"), "account", name="unique_list_name_per_account")
        ]

    def __str__(self) -> str:
        return self.name


class ListMembership(models.Model):
    """A contact's membership of a list (the through table, so adds are set-based)."""

    contact_list = models.ForeignKey(
        ContactList, on_delete=models.CASCADE, related_name="memberships"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact_list", "contact"], name="unique_list_member")
        ]
        indexes = [models.Index(fields=["contact", "contact_list"], name="member_contact_list")]

    def __str__(self) -> str:
        return f"contact {self.contact_id} in list {self.contact_list_id}"


class Segment(models.Model):
    """A saved rule over contacts, evaluated in SQL whenever it is used (see segments.py)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(max_length=255)
    rules = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class OptChange(models.Model):
    """Someone opted a contact out or back in by hand, and why (dashboard or admin)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="opt_changes")
    opted_out = models.BooleanField()
    reason = models.CharField(max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{'out' if self.opted_out else 'in'}: {self.reason}"
