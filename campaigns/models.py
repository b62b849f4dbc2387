"""Campaigns, their message sequences, enrolled contacts and per-day sending records."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone

from channels.models import Channel
from contacts.models import Contact
from skylight.models import Account


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class PausedBy(models.TextChoices):
    USER = "user", "A person"
    SAFETY = "safety", "Sender safety"


class WaitingReason(models.TextChoices):
    """Why a running (or paused) campaign is not sending right now."""

    OUTSIDE_WINDOW = "outside_window", "Outside the send window"
    DAILY_LIMIT_REACHED = "daily_limit_reached", "Today's limit is reached"
    CHANNEL_LIMIT_REACHED = "channel_limit_reached", "The number's daily cap is reached"
    PACING = "pacing", "Pacing between messages"
    PROVIDER_BACKOFF = "provider_backoff", "The provider asked to wait"
    PAUSED = "paused", "Paused"
    SAFETY_PAUSED = "safety_paused", "Paused by sender safety"
    NOTHING_DUE = "nothing_due", "Nothing due yet"


class MessageType(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    DOCUMENT = "document", "Document"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    TEMPLATE = "template", "WhatsApp template"


class Campaign(models.Model):
    """A multi-day outreach campaign over one channel.

    Counters are kept exact by the services that change contact statuses, so reads
    never count the contacts table.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="campaigns")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    is_new_number = models.BooleanField(default=False)
    timezone = models.CharField(max_length=64, default="UTC")
    send_window_start = models.TimeField(null=True, blank=True)
    send_window_end = models.TimeField(null=True, blank=True)
    enrollment = models.JSONField(default=dict, blank=True)

    total_contacts = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    stop_on_reply = models.BooleanField(
        default=True, help_text="A reply ends the contact's sequence: nothing more is sent."
    )
    replied_count = models.PositiveIntegerField(default=0)

    campaign_day = models.PositiveIntegerField(default=0)
    last_active_date = models.DateField(
        null=True, blank=True, help_text="Latest local day counted in campaign_day."
    )
    today_date = models.DateField(null=True, blank=True)
    today_attempted = models.PositiveIntegerField(
        default=0, help_text="Contacts attempted on today_date (local)."
    )
    next_send_at = models.DateTimeField(null=True, blank=True)
    scheduled_start_at = models.DateTimeField(
        null=True, blank=True, help_text="A draft with a schedule is started by the send cycle."
    )

    started_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.CharField(max_length=8, choices=PausedBy.choices, blank=True, default="")
    pause_reason = models.TextField(blank=True, default="")
    waiting_reason = models.CharField(
        max_length=32, choices=WaitingReason.choices, blank=True, default=""
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "status"], name="campaign_account_status"),
            models.Index(
                fields=["next_send_at"],
                name="campaign_running_due",
                condition=Q(status="running"),
            ),
            models.Index(
                fields=["scheduled_start_at"],
                name="campaign_scheduled_start",
                condition=Q(status="draft", scheduled_start_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # What a person may do with the campaign in its status (the services enforce it;
    # these only decide which buttons to show). See the lifecycle in docs/api.md.
    @property
    def can_edit(self) -> bool:
        return self.status == CampaignStatus.DRAFT

    @property
    def can_start(self) -> bool:
        return self.status == CampaignStatus.DRAFT

    @property
    def can_pause(self) -> bool:
        return self.status == CampaignStatus.RUNNING

    @property
    def can_resume(self) -> bool:
        return self.status == CampaignStatus.PAUSED

    @property
    def can_cancel(self) -> bool:
        return self.status in (CampaignStatus.DRAFT, CampaignStatus.RUNNING, CampaignStatus.PAUSED)

    @property
    def can_delete(self) -> bool:
        return self.status in (CampaignStatus.DRAFT, CampaignStatus.CANCELLED)

    @property
    def is_running(self) -> bool:
        return self.status == CampaignStatus.RUNNING

    @property
    def is_paused(self) -> bool:
        return self.status == CampaignStatus.PAUSED

    @property
    def is_completed(self) -> bool:
        return self.status == CampaignStatus.COMPLETED

    @property
    def is_finished(self) -> bool:
        """Completed or cancelled: nothing more will ever be sent."""
        return self.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)


class CampaignMessage(models.Model):
    """One message of a campaign's sequence, sent in `position` order."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    position = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=16, choices=MessageType.choices)
    content = models.TextField(max_length=4096)
    caption = models.CharField(max_length=1024, blank=True, default="")
    filename = models.CharField(max_length=255, blank=True, default="")
    # An approved WhatsApp template (type "template", Cloud API channels only): its name,
    # language code and body parameters, each rendered per contact like message content.
    template_name = models.CharField(max_length=512, blank=True, default="")
    language = models.CharField(max_length=16, blank=True, default="")
    parameters = models.JSONField(default=list, blank=True)
    delay_hours = models.PositiveIntegerField(
        default=0,
        help_text="Hours after the previous message was accepted before this one is due "
        "(inside the send window); 0 sends it right after the previous one.",
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="unique_message_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.type}"

    def clean(self):
        # Admin edits are checked like API and dashboard ones (see campaigns/messages.py).
        from campaigns.messages import template_errors

        errors = template_errors(self.type, self.content or "", self.caption or "")
        if errors:
            raise ValidationError(errors)


class ContactStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class SkipReason(models.TextChoices):
    """Why a contact was skipped (never sent anything more)."""

    OPTED_OUT = "opted_out", "Opted out"
    SUPPRESSED = "suppressed", "Suppressed"
    REPLIED = "replied", "Replied"
    COOLDOWN = "cooldown", "Cooldown"
    UNREACHABLE = "unreachable", "Unreachable"


class CampaignContact(models.Model):
    """One enrolled contact of a campaign: at most one row per campaign and contact.

    `sending` is the claim: committed before anything leaves, so a crash can never
    cause a second send (a stale claim ends as failed with an unknown outcome).
    """

    # No index of its own: every composite index below starts with the campaign.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="campaign_rows")
    status = models.CharField(
        max_length=16, choices=ContactStatus.choices, default=ContactStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)  # noqa: DJ001  (the API shows null)
    provider_message_id = models.CharField(max_length=128, blank=True, default="")
    delivery_status = models.CharField(max_length=16, blank=True, default="")
    replied_at = models.DateTimeField(null=True, blank=True)
    next_step_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the contact's next follow-up (a message with delay_hours) is due; "
        "null when nothing more is to come.",
    )
    skip_reason = models.CharField(
        max_length=16, choices=SkipReason.choices, blank=True, default=""
    )
    counted_on = models.DateField(
        null=True,
        blank=True,
        help_text="The campaign's local day on which the contact last took a daily slot: "
        "the daily limit counts people, so more messages that day take none.",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="unique_campaign_contact")
        ]
        indexes = [
            models.Index(
                fields=["campaign", "id"],
                name="campaign_contact_pending",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["campaign", "status", "id"], name="campaign_contact_status"),
            # Listing a campaign's contacts in id order (page and keyset pagination).
            models.Index(fields=["campaign", "id"], name="campaign_contact_order"),
            models.Index(
                fields=["campaign", "next_step_at"],
                name="campaign_contact_followup",
                condition=Q(next_step_at__isnull=False),
            ),
            models.Index(
                fields=["campaign", "counted_on"],
                name="campaign_contact_counted",
                condition=Q(status="pending", counted_on__isnull=False),
            ),
            models.Index(
                fields=["claimed_at"],
                name="campaign_contact_sending",
                condition=Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in campaign {self.campaign_id} ({self.status})"

    @property
    def public_status(self) -> str:
        """The status people see: a claim in flight is still `pending` until its outcome."""
        return ContactStatus.PENDING if self.status == ContactStatus.SENDING else self.status

    def get_public_status_display(self) -> str:
        return ContactStatus(self.public_status).label


class Delivery(models.Model):
    """One rendered message sent to one contact, and what the provider said of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        READ = "read", "Read"
        FAILED = "failed", "Failed"

    # No index of its own: the unique (campaign_contact, position) index leads with it.
    campaign_contact = models.ForeignKey(
        CampaignContact, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=16, choices=MessageType.choices)
    body = models.TextField()
    caption = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    provider_message_id = models.CharField(max_length=128, blank=True, default="")
    error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign_contact", "position"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_contact", "position"], name="unique_delivery_position"
            )
        ]
        # Provider statuses find their message by exact id: one plain index (a `db_index`
        # CharField also gets a LIKE index on PostgreSQL, one more write per message).
        indexes = [models.Index(fields=["provider_message_id"], name="delivery_provider_message")]

    def __str__(self) -> str:
        return f"message {self.position} to {self.campaign_contact_id} ({self.status})"


class CampaignDay(models.Model):
    """Sends of one campaign on one local calendar day (drives the per-day chart)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    day_number = models.PositiveIntegerField()
    daily_limit = models.PositiveIntegerField(default=0)
    attempted = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "date"], name="unique_campaign_day")
        ]

    def __str__(self) -> str:
        return f"day {self.day_number} ({self.date})"


class ChannelDay(models.Model):
    """Contacts attempted through one channel on one day: the shared per-number cap.

    Its row lock serialises every campaign that sends through the channel.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    attempted = models.PositiveIntegerField(default=0)
    last_send_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="No contact is claimed through the number before this: the gap after "
        "its last contact, or a provider's Retry-After.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "date"], name="unique_channel_day")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} on {self.date}"


class StatusReceipt(models.Model):
    """A provider status that arrived before its delivery was recorded.

    Providers can report "sent" or "delivered" while the send engine still holds the
    outcome in its write buffer; the receipt waits here and is applied (then deleted)
    once the delivery row exists (see `campaigns.deliveries.status_receipts_apply`).
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    provider_message_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16)
    at = models.DateTimeField()
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["channel", "provider_message_id"], name="receipt_channel_message"),
            models.Index(fields=["channel", "created_at"], name="receipt_channel_created"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_message_id}: {self.status}"


class ChannelAttempt(models.Model):
    """A finished send attempt through a channel, as its circuit breaker counts it.

    Written with the outcome (same transaction) and read back as a bounded window (the
    newest 50 of the last hour, see `campaigns.breaker`); rows older than the window are
    pruned as the breaker reads.
    """

    class Kind(models.TextChoices):
        OK = "ok", "Accepted"
        FAILED = "failed", "Failed permanently"
        REFUSED = "refused", "Opted out or blocked"
        OTHER = "other", "Not accepted (outcome unknown or retries used up)"

    # No index of its own: the (channel, at) window index leads with it.
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=Kind.choices)

    class Meta:
        indexes = [models.Index(fields=["channel", "at"], name="channel_attempt_window")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class ReportDayCount(models.Model):
    """A signed count of reached contacts under one key of the report's day rows.

    Written only by PostgreSQL triggers on the contact rows (campaigns migration 0010),
    never by Python: every statement that changes reached rows appends, per key it moves,
    the difference it made. A key's count is the sum of its rows; the report compacts a
    campaign's rows when they pile up (`campaigns.reports`). Append-only, so concurrent
    writers never wait on each other here (docs/architecture.md, "The campaign report").
    Empty on SQLite, where the report aggregates the contact rows directly.
    """

    # Deleted with the campaign by an ON DELETE CASCADE constraint the migration adds
    # (the triggers may append after Django's collector would have deleted them).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField(null=True)
    status = models.CharField(max_length=16)
    delivery_status = models.CharField(max_length=16)
    replied = models.SmallIntegerField()
    opted_out = models.SmallIntegerField()
    reason = models.CharField(max_length=16)
    code = models.CharField(max_length=3)
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.n:+d} {self.status} on {self.day} in campaign {self.campaign_id}"


class ReportStepCount(models.Model):
    """A signed count of one campaign's deliveries by position, sent or not, and status.

    Kept like `ReportDayCount`, by triggers on the deliveries.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    sent = models.BooleanField()
    status = models.CharField(max_length=16)
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.n:+d} {self.status} at {self.position} in campaign {self.campaign_id}"
