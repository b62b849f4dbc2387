"""Campaign API shapes: the campaign object and contact row of docs/api.md, and the inputs."""

import re
from functools import cache
from zoneinfo import available_timezones

from django.utils import timezone as dj_timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns import progress, waiting
from campaigns.messages import template_errors
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignMessage,
    CampaignStatus,
    MessageType,
    PausedBy,
    WaitingReason,
)
from channels.models import Channel
from contacts.models import Contact, ContactList, Segment
from skylight.api.fields import (
    AccountIdListField,
    AccountObjectIdField,
    TimezoneField,
    datetime_text,
)
from skylight.api.strict import StrictJsonTypes

MAX_MESSAGES = 10
MAX_EXPLICIT_CONTACTS = 100_000
MEDIA_TYPES = {MessageType.IMAGE, MessageType.DOCUMENT, MessageType.VIDEO, MessageType.AUDIO}
SOURCE_FIELDS = ("contact_ids", "list_ids", "segment_ids")
WINDOW_FORMAT = "%H:%M"
TEMPLATE_FIELDS = ["template_name", "language", "parameters"]
MAX_PARAMETERS = 20
MAX_DELAY_HOURS = 720  # 30 days: a longer wait belongs in a new campaign
WINDOW_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ClientSettingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["id", "name", "type"]


class MessageSerializer(StrictJsonTypes, serializers.ModelSerializer):
    """One message of the sequence; media messages carry their URL in `content`.

    A `template` message (WhatsApp Cloud API channels only) names an approved template
    instead: `template_name`, `language` and `parameters` (body variables, rendered per
    contact like content, e.g. "{{first_name|there}}"); it has no content.
    """

    type = serializers.ChoiceField(choices=MessageType.choices)
    content = serializers.CharField(max_length=4096, required=False, default="", allow_blank=True)
    caption = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    filename = serializers.CharField(max_length=255, required=False, allow_blank=True)
    template_name = serializers.RegexField(
        r"^[a-z0-9_]{1,512}$",
        required=False,
        error_messages={"invalid": "Lower-case letters, digits and _ (the template's name)."},
    )
    language = serializers.RegexField(
        r"^[a-z]{2,3}(_[A-Z]{2})?$",
        required=False,
        error_messages={"invalid": "A language code such as en_US or ar."},
    )
    parameters = serializers.ListField(
        child=serializers.CharField(max_length=1024), required=False, max_length=MAX_PARAMETERS
    )
    delay_hours = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_DELAY_HOURS,
        help_text="A follow-up: hours after the previous message was accepted before this one "
        "is due (inside the send window). 0 (the default) sends it right after the previous "
        "one; the first message must have 0.",
    )

    class Meta:
        model = CampaignMessage
        fields = ["type", "content", "caption", "filename", *TEMPLATE_FIELDS, "delay_hours"]

    def validate(self, attrs):
        # A PATCH makes nested fields optional, but `messages` replaces the whole
        # sequence: each message still needs its type.
        if "type" not in attrs:
            raise serializers.ValidationError({"type": ["This field is required."]})
        if attrs["type"] == MessageType.TEMPLATE:
            errors = _template_errors(attrs)
        else:
            errors = _free_form_errors(attrs)
            if not errors.get("content"):
                errors.update(
                    template_errors(attrs["type"], attrs["content"], attrs.get("caption", ""))
                )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["type"] != MessageType.TEMPLATE:
            for field in TEMPLATE_FIELDS:
                data.pop(field, None)
        return data


def _free_form_errors(attrs) -> dict:
    errors = {}
    is_media = attrs["type"] in MEDIA_TYPES
    if not attrs.get("content"):
        errors["content"] = ["This field is required."]
    elif is_media and not attrs["content"].lower().startswith(("http://", "https://")):
        kind = MessageType(attrs["type"]).label.lower()
        article = "An" if kind[0] in "aeiou" else "A"
        errors["content"] = [f"{article} {kind} message needs an http(s) URL as content."]
    if attrs.get("caption") and not is_media:
        errors["caption"] = ["Only media messages take a caption."]
    if attrs.get("filename") and attrs["type"] != MessageType.DOCUMENT:
        errors["filename"] = ["Only document messages take a filename."]
    for field in TEMPLATE_FIELDS:
        if attrs.get(field):
            errors[field] = ["Only template messages take this."]
    return errors


def _template_errors(attrs) -> dict:
    errors = {}
    for field in ("template_name", "language"):
        if not attrs.get(field):
            errors[field] = ["A template message needs this."]
    for field in ("content", "caption", "filename"):
        if attrs.get(field):
            errors[field] = ["A template message has no free text: its body is the template's."]
    return errors


@extend_schema_field({"type": "string", "pattern": WINDOW_PATTERN, "example": "09:00"})
class WindowTimeField(serializers.TimeField):
    """A local time written exactly `HH:MM` (24-hour, two digits each)."""

    def __init__(self, **kwargs):
        super().__init__(format=WINDOW_FORMAT, input_formats=[WINDOW_FORMAT], **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(WINDOW_PATTERN, value):
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


class SendWindowSerializer(StrictJsonTypes, serializers.Serializer):
    """Local hours in which sending may happen, e.g. {"start": "09:00", "end": "20:00"};
    an end before the start wraps past midnight ({"start": "22:00", "end": "08:00"})."""

    start = WindowTimeField()
    end = WindowTimeField()

    def validate(self, attrs):
        # A PATCH makes nested fields optional; a window is still both ends or nothing.
        missing = {
            name: ["This field is required."] for name in ("start", "end") if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        # An end before the start is an overnight window (22:00-08:00 sends across midnight).
        if attrs["start"] == attrs["end"]:
            raise serializers.ValidationError(
                {"end": ["The window must not start and end at the same time."]}
            )
        return attrs


class EnrollmentSerializer(serializers.Serializer):
    requested = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    incompatible = serializers.IntegerField()
    suppressed = serializers.IntegerField(
        default=0, help_text="Selected contacts whose address is on the suppression list."
    )
    open_window = serializers.IntegerField(
        allow_null=True,
        help_text="WhatsApp Cloud API channels: enrolled contacts who wrote to the number in "
        "the last 24 hours, so a free-form message can reach them (counted when the "
        "campaign was created). null on channels without such a window.",
    )
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="What will keep messages from arriving, in words: e.g. a free-form first "
        "step on a WhatsApp Cloud API channel reaches only the contacts with an open "
        "24-hour window; the others fail with 'needs an approved template' without using "
        "a daily slot.",
    )


ENROLLMENT_KEYS = ("requested", "enrolled", "duplicates", "opted_out", "incompatible", "suppressed")


def enrollment_representation(summary: dict) -> dict:
    """The stored summary as the API shows it (older summaries lack the window keys)."""
    data = {key: int(summary.get(key, 0)) for key in ENROLLMENT_KEYS}
    open_window = summary.get("open_window")
    data["open_window"] = int(open_window) if open_window is not None else None
    data["warnings"] = [str(warning) for warning in summary.get("warnings") or []]
    return data


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone_name(value: str) -> str:
    if value not in _known_timezones():
        raise serializers.ValidationError(f"'{value}' is not a known IANA time zone.")
    return value


class CampaignSerializer(serializers.ModelSerializer):
    """The published campaign object, plus messages, send_window, enrollment and estimate."""

    success_count = serializers.IntegerField(source="sent_count")
    messages_sent_today = serializers.SerializerMethodField()
    progress_percentage = serializers.SerializerMethodField()
    daily_limit = serializers.SerializerMethodField()
    remaining_today = serializers.SerializerMethodField()
    client_setting = ClientSettingSerializer(source="channel")
    campaign_contacts_count = serializers.IntegerField(source="total_contacts")
    sent_contacts_count = serializers.IntegerField(source="sent_count")
    failed_contacts_count = serializers.IntegerField(source="failed_count")
    pending_contacts_count = serializers.IntegerField(source="pending_count")
    skipped_contacts_count = serializers.IntegerField(source="skipped_count")
    messages = MessageSerializer(many=True)
    send_window = serializers.SerializerMethodField()
    enrollment = serializers.SerializerMethodField()
    estimated_completion_date = serializers.SerializerMethodField()
    timezone = TimezoneField(read_only=True)
    paused_by = serializers.SerializerMethodField(
        help_text="Who paused the campaign: user or safety (the circuit breaker or a "
        "provider signal); null unless paused."
    )
    pause_reason = serializers.SerializerMethodField(
        help_text="Why sender safety paused it, with the figures; null otherwise."
    )
    waiting_reason = serializers.SerializerMethodField(
        help_text="Why nothing is being sent right now (null while sending): outside_window, "
        "daily_limit_reached, channel_limit_reached, pacing, provider_backoff, paused, "
        "safety_paused or nothing_due."
    )
    next_send_at = serializers.SerializerMethodField(
        help_text="When the next message is expected to go; null when nothing more is due."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "status",
            "total_contacts",
            "success_count",
            "failed_count",
            "campaign_day",
            "messages_sent_today",
            "is_new_number",
            "started_at",
            "completed_at",
            "progress_percentage",
            "daily_limit",
            "remaining_today",
            "client_setting",
            "campaign_contacts_count",
            "sent_contacts_count",
            "failed_contacts_count",
            "pending_contacts_count",
            "created_at",
            "skipped_contacts_count",
            "messages",
            "send_window",
            "timezone",
            "enrollment",
            "estimated_completion_date",
            "stop_on_reply",
            "replied_count",
            "scheduled_start_at",
            "paused_by",
            "pause_reason",
            "waiting_reason",
            "next_send_at",
        ]

    @property
    def now(self):
        """One clock reading per response, so the derived figures agree with each other."""
        if "now" not in self.context:
            self.context["now"] = dj_timezone.now()
        return self.context["now"]

    def get_messages_sent_today(self, campaign) -> int:
        return progress.messages_sent_today(campaign, self.now)

    def get_progress_percentage(self, campaign) -> int:
        return progress.progress_percentage(campaign)

    def get_daily_limit(self, campaign) -> int:
        return progress.current_daily_limit(campaign)

    def get_remaining_today(self, campaign) -> int:
        return progress.remaining_today(campaign, self.now)

    def get_send_window(self, campaign) -> SendWindowSerializer(allow_null=True):
        if campaign.send_window_start is None or campaign.send_window_end is None:
            return None
        return {
            "start": campaign.send_window_start.strftime(WINDOW_FORMAT),
            "end": campaign.send_window_end.strftime(WINDOW_FORMAT),
        }

    def get_enrollment(self, campaign) -> EnrollmentSerializer:
        return enrollment_representation(campaign.enrollment)

    def get_estimated_completion_date(self, campaign) -> serializers.DateField(allow_null=True):
        estimate = progress.estimated_completion_date(campaign, self.now)
        return estimate.isoformat() if estimate else None

    def get_paused_by(self, campaign) -> serializers.ChoiceField(
        choices=PausedBy.choices, allow_null=True
    ):
        return (campaign.paused_by or None) if campaign.status == CampaignStatus.PAUSED else None

    def get_pause_reason(self, campaign) -> serializers.CharField(allow_null=True):
        return (campaign.pause_reason or None) if campaign.status == CampaignStatus.PAUSED else None

    def get_waiting_reason(self, campaign) -> serializers.ChoiceField(
        choices=WaitingReason.choices, allow_null=True
    ):
        return waiting.waiting_reason(campaign, self.now)

    def get_next_send_at(self, campaign) -> serializers.DateTimeField(allow_null=True):
        return datetime_text(waiting.next_send_at(campaign, self.now))

    def to_representation(self, campaign):
        # Written out by hand (DRF would build ~30 field objects per response); the
        # declared fields document the schema. tests/campaigns/test_campaign_representation.py
        # keeps this equal to the generic output.
        channel = campaign.channel
        return {
            "id": campaign.pk,
            "name": campaign.name,
            "status": str(campaign.status),
            "total_contacts": campaign.total_contacts,
            "success_count": campaign.sent_count,
            "failed_count": campaign.failed_count,
            "campaign_day": campaign.campaign_day,
            "messages_sent_today": self.get_messages_sent_today(campaign),
            "is_new_number": bool(campaign.is_new_number),
            "started_at": datetime_text(campaign.started_at),
            "completed_at": datetime_text(campaign.completed_at),
            "progress_percentage": self.get_progress_percentage(campaign),
            "daily_limit": self.get_daily_limit(campaign),
            "remaining_today": self.get_remaining_today(campaign),
            "client_setting": {"id": channel.pk, "name": channel.name, "type": str(channel.type)},
            "campaign_contacts_count": campaign.total_contacts,
            "sent_contacts_count": campaign.sent_count,
            "failed_contacts_count": campaign.failed_count,
            "pending_contacts_count": campaign.pending_count,
            "created_at": datetime_text(campaign.created_at),
            "skipped_contacts_count": campaign.skipped_count,
            "messages": [_message_representation(message) for message in campaign.messages.all()],
            "send_window": self.get_send_window(campaign),
            "timezone": campaign.timezone,
            "enrollment": self.get_enrollment(campaign),
            "estimated_completion_date": self.get_estimated_completion_date(campaign),
            "stop_on_reply": bool(campaign.stop_on_reply),
            "replied_count": campaign.replied_count,
            "scheduled_start_at": datetime_text(campaign.scheduled_start_at),
            "paused_by": self.get_paused_by(campaign),
            "pause_reason": self.get_pause_reason(campaign),
            "waiting_reason": self.get_waiting_reason(campaign),
            "next_send_at": self.get_next_send_at(campaign),
        }


def _message_representation(message: CampaignMessage) -> dict:
    data = {
        "type": str(message.type),
        "content": message.content,
        "caption": message.caption,
        "filename": message.filename,
        "delay_hours": message.delay_hours,
    }
    if message.type == MessageType.TEMPLATE:
        data.update(
            template_name=message.template_name,
            language=message.language,
            parameters=list(message.parameters),
        )
    return data


class ContactSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "type"]


class CampaignContactSerializer(serializers.ModelSerializer):
    """One enrolled contact and its delivery status (a claimed contact shows as pending)."""

    status = serializers.SerializerMethodField()
    phone = serializers.CharField(source="contact.phone")
    contact = ContactSummarySerializer()
    skip_reason = serializers.SerializerMethodField(
        help_text="Why a skipped contact was skipped: opted_out, suppressed, replied, "
        "cooldown or unreachable; null otherwise."
    )

    class Meta:
        model = CampaignContact
        fields = [
            "id", "status", "phone", "sent_at", "error", "contact", "replied_at", "skip_reason",
            "next_step_at",
        ]  # fmt: skip
        extra_kwargs = {  # noqa: RUF012
            "next_step_at": {
                "help_text": "When the contact's next follow-up (a message with delay_hours) "
                "is due; null when nothing more is to come."
            }
        }

    def get_status(self, row) -> str:
        return row.public_status

    def get_skip_reason(self, row) -> str | None:
        return row.skip_reason or None

    def to_representation(self, row):
        # By hand, as CampaignSerializer (tests/campaigns/test_campaign_representation.py).
        contact = row.contact
        return {
            "id": row.pk,
            "status": str(self.get_status(row)),
            "phone": contact.phone,
            "sent_at": datetime_text(row.sent_at),
            "error": row.error,
            "contact": {"id": contact.pk, "name": contact.name, "type": str(contact.type)},
            "replied_at": datetime_text(row.replied_at),
            "skip_reason": self.get_skip_reason(row),
            "next_step_at": datetime_text(row.next_step_at),
        }


class CampaignWriteSerializer(StrictJsonTypes, serializers.Serializer):
    """Fields a draft's update may change (PUT and PATCH both change only what is sent)."""

    name = serializers.CharField(max_length=255)
    messages = MessageSerializer(many=True, allow_empty=False, max_length=MAX_MESSAGES)
    is_new_number = serializers.BooleanField(default=False)
    send_window = SendWindowSerializer(required=False, allow_null=True, default=None)
    timezone = TimezoneField(required=False, validators=[_timezone_name])
    stop_on_reply = serializers.BooleanField(
        required=False,
        help_text="Default true: a contact who replies gets nothing more from this campaign.",
    )
    scheduled_start_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the send cycle starts this draft (in the future); null clears it.",
    )

    def validate_messages(self, messages):
        if messages and messages[0].get("delay_hours"):
            raise serializers.ValidationError(
                {
                    0: {
                        "delay_hours": [
                            "The first message has no previous one to wait after: use 0."
                        ]
                    }
                }
            )
        return messages


class CampaignUpdateSerializer(CampaignWriteSerializer):
    FIXED = ("channel_id", *SOURCE_FIELDS)

    def validate(self, attrs):
        fixed = [field for field in self.FIXED if field in self.initial_data]
        if fixed:
            raise serializers.ValidationError(
                {field: ["Cannot be changed after creation."] for field in fixed}
            )
        return attrs


class CampaignCreateSerializer(CampaignWriteSerializer):
    """A new campaign: the draft's fields plus its channel and where its contacts come from."""

    channel_id = AccountObjectIdField(model=Channel)
    # Larger selections belong in a list; this also keeps SQLite under its parameter limit.
    contact_ids = AccountIdListField(
        model=Contact, required=False, default=list, max_length=MAX_EXPLICIT_CONTACTS
    )
    list_ids = AccountIdListField(model=ContactList, required=False, default=list)
    segment_ids = AccountIdListField(model=Segment, required=False, default=list)

    def validate(self, attrs):
        if not any(attrs.get(field) for field in SOURCE_FIELDS):
            message = "Give at least one of contact_ids, list_ids or segment_ids."
            raise serializers.ValidationError({field: [message] for field in SOURCE_FIELDS})
        attrs["channel"] = attrs.pop("channel_id")
        return attrs


class CampaignTestSendSerializer(serializers.Serializer):
    phone = serializers.CharField(
        max_length=64,
        help_text="Where the test goes: a phone (local numbers are read in the account's "
        "default_country), or a chat id on Telegram.",
    )
    contact_id = AccountObjectIdField(
        model=Contact,
        required=False,
        allow_null=True,
        help_text="Render the messages for this contact; default: the contact at `phone`, "
        "else the campaign's first contact, else a sample contact.",
    )


class CampaignTestOutcomeSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="The message's place in the sequence, from 1.")
    accepted = serializers.BooleanField()
    provider_message_id = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True, help_text="Why the provider refused it.")


class CampaignTestSendResultSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    contact_id = serializers.IntegerField(allow_null=True, help_text="Whom it was rendered for.")
    messages = CampaignTestOutcomeSerializer(
        many=True, help_text="One per message tried; sending stops at the first refusal."
    )
