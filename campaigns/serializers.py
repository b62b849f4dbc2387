"""Campaign API shapes: the reference's campaign object and contact row, and the inputs."""

from functools import cache
from zoneinfo import available_timezones

from django.utils import timezone as dj_timezone
from rest_framework import serializers

from campaigns import progress
from campaigns.models import Campaign, CampaignContact, CampaignMessage, ContactStatus, MessageType
from channels.models import Channel
from contacts.models import Contact, ContactList, Segment
from skylight.api.fields import AccountIdListField, AccountObjectIdField

MAX_MESSAGES = 10
MAX_EXPLICIT_CONTACTS = 100_000
MEDIA_TYPES = {MessageType.IMAGE, MessageType.DOCUMENT, MessageType.VIDEO, MessageType.AUDIO}
SOURCE_FIELDS = ("contact_ids", "list_ids", "segment_ids")
WINDOW_FORMAT = "%H:%M"


class ClientSettingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["id", "name", "type"]


class MessageSerializer(serializers.ModelSerializer):
    """One message of the sequence; media messages carry their URL in `content`."""

    type = serializers.ChoiceField(choices=MessageType.choices)
    content = serializers.CharField(max_length=4096)
    caption = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    filename = serializers.CharField(max_length=255, required=False, allow_blank=True)

    class Meta:
        model = CampaignMessage
        fields = ["type", "content", "caption", "filename"]

    def validate(self, attrs):
        errors = {}
        is_media = attrs["type"] in MEDIA_TYPES
        if is_media and not attrs["content"].lower().startswith(("http://", "https://")):
            errors["content"] = [f"A {attrs['type']} message needs an http(s) URL as content."]
        if attrs.get("caption") and not is_media:
            errors["caption"] = ["Only media messages take a caption."]
        if attrs.get("filename") and attrs["type"] != MessageType.DOCUMENT:
            errors["filename"] = ["Only document messages take a filename."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SendWindowSerializer(serializers.Serializer):
    """Local hours in which sending may happen, e.g. {"start": "09:00", "end": "20:00"}."""

    start = serializers.TimeField(format=WINDOW_FORMAT, input_formats=[WINDOW_FORMAT])
    end = serializers.TimeField(format=WINDOW_FORMAT, input_formats=[WINDOW_FORMAT])

    def validate(self, attrs):
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["The window must end after it starts."]})
        return attrs


class EnrollmentSerializer(serializers.Serializer):
    requested = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    incompatible = serializers.IntegerField()


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone_name(value: str) -> str:
    if value not in _known_timezones():
        raise serializers.ValidationError(f"'{value}' is not a known IANA time zone.")
    return value


class CampaignSerializer(serializers.ModelSerializer):
    """The reference's campaign object, plus messages, send_window, enrollment and estimate."""

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
            "scheduled_start_at",
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
        keys = EnrollmentSerializer().fields
        return {key: int(campaign.enrollment.get(key, 0)) for key in keys}

    def get_estimated_completion_date(self, campaign) -> serializers.DateField(allow_null=True):
        estimate = progress.estimated_completion_date(campaign, self.now)
        return estimate.isoformat() if estimate else None


class ContactSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "type"]


class CampaignContactSerializer(serializers.ModelSerializer):
    """One enrolled contact and its delivery status (a claimed contact shows as pending)."""

    status = serializers.SerializerMethodField()
    phone = serializers.CharField(source="contact.phone")
    contact = ContactSummarySerializer()

    class Meta:
        model = CampaignContact
        fields = ["id", "status", "phone", "sent_at", "error", "contact"]

    def get_status(self, row) -> str:
        return ContactStatus.PENDING if row.status == ContactStatus.SENDING else row.status


class CampaignWriteSerializer(serializers.Serializer):
    """Fields a draft's update may change (PUT and PATCH both change only what is sent)."""

    name = serializers.CharField(max_length=255)
    messages = MessageSerializer(many=True, allow_empty=False, max_length=MAX_MESSAGES)
    is_new_number = serializers.BooleanField(default=False)
    send_window = SendWindowSerializer(required=False, allow_null=True, default=None)
    timezone = serializers.CharField(max_length=64, required=False, validators=[_timezone_name])
    scheduled_start_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the send cycle starts this draft (in the future); null clears it.",
    )


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
