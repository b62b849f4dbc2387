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
        indexes = [
            models.Index(fields=["account", "name"], name="contact_account_name"),
            # The listing's order (newest first) within one account, whatever others hold.
            models.Index(fields=["account", "id"], name="contact_account_newest"),
            # Suppressions name a provider address (a Telegram chat id) as often as a phone.
            models.Index(
                fields=["account", "type", "external_id"],
                name="contact_external_id",
                condition=~models.Q(external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.phone} ({self.type})"

    @property
    def address(self) -> str:
        """Where a transport delivers: the provider id when known, else the phone."""
        return self.external_id or self.phone


class ContactList(models.Model):
    """A static, hand-picked or imported group of contacts.

    `members_count` is kept exact by database triggers on the membership table
    (migration 0002), in the transaction of every insert or delete, whoever makes it:
    services, the CSV import's SQL, cascades. Nothing in Python writes it.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_lists")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="", max_length=2000)
    contacts = models.ManyToManyField(Contact, through="ListMembership", related_name="lists")
    created_at = models.DateTimeField(default=timezone.now)
    members_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # Names pick lists in forms and segment rules, so two lists cannot share one
            # (ignoring case).
            models.UniqueConstraint(Lower("name"), "account", name="unique_list_name_per_account")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # An update never writes the counter back: the copy in memory may be stale
        # while the triggers move the stored one.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "members_count"
            ]
        super().save(*args, **kwargs)


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


class Suppression(models.Model):
    """An address never to message on a channel type, whether or not it is a contact yet.

    Added by a STOP (or a provider's opt-out signal) from any address, by the API, an
    import or the dashboard. A START removes only the entries a STOP added.
    """

    class Source(models.TextChoices):
        API = "api", "API"
        STOP = "stop", "Opt-out message"
        IMPORT = "import", "Import"
        DASHBOARD = "dashboard", "Dashboard"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="suppressions")
    address = models.CharField(max_length=64, help_text="E.164 phone or provider address.")
    channel_type = models.CharField(max_length=16, choices=ChannelType.choices)
    reason = models.CharField(max_length=255, blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "channel_type", "address"], name="unique_suppression"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.channel_type})"


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
