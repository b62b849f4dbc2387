"""Tenancy: accounts (workspaces), their members, API keys, plans and subscriptions."""

import hashlib
import hmac
import secrets
from datetime import date, timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as dj_timezone

from skylight.crypto import EncryptedTextField

TIMEZONE_CHOICES = sorted((name, name) for name in available_timezones())


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 alpha-2 regions `phonenumbers` knows, labelled with their calling code."""
    import phonenumbers

    return [
        (region, f"{region} (+{phonenumbers.country_code_for_region(region)})")
        for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    ]


class Account(models.Model):
    """A workspace: every contact, channel and campaign belongs to exactly one account."""

    name = models.CharField(max_length=120, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    contact_cooldown_days = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text="A contact who got a first message from any campaign in the last N days is "
        "not started by another campaign until then (0 turns it off).",
    )
    default_country = models.CharField(
        max_length=2,
        blank=True,
        default="",
        db_default="",
        choices=country_choices,
        help_text="Where phone numbers written without a country code (0551112234) are read; "
        "empty: only international numbers are accepted.",
    )
    # The circuit breaker of each number (campaigns/breaker.py): over the newest 50 sends
    # of the last hour, it pauses the number's campaigns at these figures.
    breaker_failure_percent = models.PositiveSmallIntegerField(
        "breaker: permanent failures (%)",
        default=20,
        db_default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Pause a number's campaigns when at least this share of its recent sends "
        "failed permanently…",
    )
    breaker_min_attempts = models.PositiveSmallIntegerField(
        "breaker: over at least (sends)",
        default=20,
        db_default=20,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="…counted over at least this many sends (at most 50).",
    )
    breaker_opt_out_limit = models.PositiveSmallIntegerField(
        "breaker: opt-outs and blocks",
        default=3,
        db_default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Pause a number's campaigns when this many people opt out or block it "
        "within its last 50 sends.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="accounts"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A dashboard user's membership of an account."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.account}"


def api_key_digest(raw_key: str) -> str:
    """HMAC-SHA256 of a raw key; the raw key itself is never stored."""
    pepper = settings.SKYLIGHT_API_KEY_PEPPER.encode()
    return hmac.new(pepper, raw_key.encode(), hashlib.sha256).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """An API key of an account. Only its prefix and an HMAC digest are stored."""

    PREFIX_LENGTH = 8
    LAST_USED_RESOLUTION_SECONDS = 60

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="API key")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} (sk_{self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate() -> tuple[str, str]:
        """A new raw key and its prefix: `sk_<prefix>_<secret>`."""
        prefix = secrets.token_hex(ApiKey.PREFIX_LENGTH // 2)
        return f"sk_{prefix}_{secrets.token_urlsafe(32)}", prefix

    @staticmethod
    def split(raw_key: str) -> str | None:
        """The prefix of a well-formed raw key, or None."""
        parts = raw_key.split("_", 2)
        if len(parts) != 3 or parts[0] != "sk" or len(parts[1]) != ApiKey.PREFIX_LENGTH:
            return None
        return parts[1]

    def matches(self, raw_key: str) -> bool:
        return hmac.compare_digest(self.digest, api_key_digest(raw_key))


class Plan(models.Model):
    """What a subscription allows per monthly period."""

    name = models.CharField(max_length=60, unique=True)
    outreach_campaigns = models.PositiveIntegerField(
        help_text="Outreach campaigns that may be created per monthly period."
    )

    def __str__(self) -> str:
        return self.name


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of the calendar month containing `day`."""
    start = day.replace(day=1)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, following - timedelta(days=1)


class Subscription(models.Model):
    """An account's plan and its usage in the current monthly period."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    period_start = models.DateField()
    period_end = models.DateField()
    outreach_campaigns_used = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.account}: {self.plan}"

    @property
    def outreach_campaigns_remaining(self) -> int:
        return max(0, self.plan.outreach_campaigns - self.outreach_campaigns_used)


class UserPreference(models.Model):
    """A dashboard user's own choices; `language` blank follows the browser."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(max_length=8, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser language'})"


class IdempotencyKey(models.Model):
    """An API POST's `Idempotency-Key` and the first answer to it, replayed for a day.

    The row is inserted (unique per account and key) before the request runs, so a
    second request with the same key finds it: still running, or answered (see
    docs/api.md, "Retrying safely").
    """

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        ANSWERED = "answered", "Answered"

    MAX_LENGTH = 255

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=MAX_LENGTH)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(default=b"")
    response_content_type = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


class AuditEvent(models.Model):
    """Who did what to which object, when and from where (see skylight/audit.py)."""

    class ActorType(models.TextChoices):
        USER = "user", "User"
        API_KEY = "api_key", "API key"
        SYSTEM = "system", "System"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audit_events")
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor = models.CharField(max_length=150, help_text="Username, API key prefix or 'system'.")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, help_text="e.g. campaign.started")
    object_type = models.CharField(max_length=32, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "-id"], name="audit_account_recent"),
            models.Index(
                fields=["account", "object_type", "object_id"], name="audit_account_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.object_type} {self.object_id}"


class WebhookEndpoint(models.Model):
    """A URL of the account's that receives signed events (see skylight/events.py).

    The secret signs every request; it is encrypted at rest and shown only when created
    or rolled. An endpoint failing without a success for a day is disabled.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Event types sent to this URL.")
    is_active = models.BooleanField(default=True)
    secret = EncryptedTextField(help_text="Signs the requests; encrypted at rest.")
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="First failure since the last success."
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "is_active"], name="webhook_endpoint_active")]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One event in the outbox, written in the transaction of the change it reports."""

    id = models.CharField(primary_key=True, max_length=32, help_text="evt_<ULID>")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)  # pruning

    def __str__(self) -> str:
        return f"{self.id} {self.type}"


class WebhookDelivery(models.Model):
    """One event owed to one endpoint: pending until a 2xx, or given up (failed)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField(help_text="Retries stop after this moment.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=dj_timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="unique_webhook_delivery")
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One request that carried a delivery (alone, or in a batch of contact events)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    batch_id = models.CharField(max_length=32, blank=True, default="")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    next_retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
