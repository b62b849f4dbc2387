"""Dashboard forms for campaigns: the draft's fields, its sources and its message sequence.

Each message row is validated by the API's MessageSerializer, so the dashboard and the
API accept exactly the same sequences.
"""

from zoneinfo import ZoneInfo

from django import forms

from campaigns.models import MessageType
from campaigns.serializers import MAX_MESSAGES, MessageSerializer
from campaigns.template_picker import split_value
from channels.models import Channel
from contacts.models import Contact, ContactList, Segment
from contacts.phones import InvalidPhone, normalize_phone
from skylight.models import TIMEZONE_CHOICES

MESSAGE_FIELDS = ("type", "content", "caption", "filename", "delay_hours")


class CampaignForm(forms.Form):
    """A draft's editable fields; with `creating`, also its channel and contact sources."""

    name = forms.CharField(max_length=255)
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.none(), empty_label="— pick a channel —"
    )
    is_new_number = forms.BooleanField(
        required=False,
        label="New number (warm up gently)",
        help_text="Use the lower daily limits for a number that has not sent much yet.",
    )
    window_start = forms.TimeField(
        required=False, label="Send from", widget=forms.TimeInput(attrs={"type": "time"})
    )
    window_end = forms.TimeField(
        required=False,
        label="Send until",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Before “Send from” for overnight hours, e.g. 22:00 until 08:00.",
    )
    timezone = forms.ChoiceField(
        choices=TIMEZONE_CHOICES, help_text="For the send window and days."
    )
    lists = forms.ModelMultipleChoiceField(
        queryset=ContactList.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    segments = forms.ModelMultipleChoiceField(
        queryset=Segment.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    phones = forms.CharField(
        required=False,
        label="Individual contacts",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "+966501234567"}),
        help_text="Phone numbers of existing contacts, one per line.",
    )

    def __init__(self, *args, account, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.creating = creating
        self.fields["timezone"].initial = account.timezone
        if creating:
            self.fields["channel"].queryset = Channel.objects.filter(
                account=account, is_active=True
            )
            self.fields["lists"].queryset = ContactList.objects.filter(account=account)
            self.fields["segments"].queryset = Segment.objects.filter(account=account)
        else:
            for name in ("channel", "lists", "segments", "phones"):
                del self.fields[name]
        self.message_rows: list[dict] = []

    def clean_phones(self):
        """The ids of the account's contacts at the typed numbers (any channel type)."""
        found, bad, missing = self.phone_lookup(self.cleaned_data["phones"])
        if bad:
            raise forms.ValidationError(f"Not valid phone numbers: {', '.join(bad[:5])}.")
        if missing:
            raise forms.ValidationError(f"No contact with phone {', '.join(missing[:5])}.")
        return found

    def phone_lookup(self, text: str) -> tuple[list[int], list[str], list[str]]:
        """(ids of the account's contacts at the typed numbers, lines that are not phone
        numbers, numbers no contact has): the enrollment preview shows all three."""
        wanted, bad = set(), []
        for line in (text or "").replace(",", "\n").splitlines():
            if not line.strip():
                continue
            try:
                wanted.add(normalize_phone(line, self.account.default_country))
            except InvalidPhone:
                bad.append(line.strip())
        found = dict(
            Contact.objects.filter(account=self.account, phone__in=wanted).values_list(
                "phone", "pk"
            )
        )
        return sorted(found.values()), bad, sorted(wanted - set(found))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        if (start is None) != (end is None):
            self.add_error("window_end", "Give both ends of the send window, or neither.")
        elif start and end and start == end:  # end < start is an overnight window
            self.add_error("window_end", "The window must not start and end at the same time.")
        if self.creating and not self.errors and not any(self.sources().values()):
            raise forms.ValidationError("Pick at least one list, segment or contact.")
        return cleaned

    def sources(self) -> dict:
        data = self.cleaned_data
        return {
            "contact_ids": data.get("phones") or [],
            "list_ids": [item.pk for item in data.get("lists") or []],
            "segment_ids": [item.pk for item in data.get("segments") or []],
        }

    def send_window(self):
        start, end = self.cleaned_data.get("window_start"), self.cleaned_data.get("window_end")
        return {"start": start, "end": end} if start and end else None


def message_rows_from_post(data) -> list[dict]:
    """The sequence editor's rows in the order the page sent them.

    A template row also carries `template_name`, `language` and its `parameters` (the
    row's share of the `message_param` inputs, counted by `message_param_count`).
    """
    columns = {name: data.getlist(f"message_{name}") for name in MESSAGE_FIELDS}
    templates = data.getlist("message_template")
    counts = data.getlist("message_param_count")
    params = data.getlist("message_param")
    count = len(columns["type"])
    rows = []
    for index in range(count):
        row = {
            name: (values[index] if index < len(values) else "") for name, values in columns.items()
        }
        row = {key: value.strip() if key != "content" else value for key, value in row.items()}
        taken = _count(counts[index] if index < len(counts) else "")
        row_params, params = params[:taken], params[taken:]
        if row["type"] == MessageType.TEMPLATE:
            name, language = split_value(templates[index] if index < len(templates) else "")
            row.update(template_name=name, language=language, parameters=row_params)
        rows.append(row)
    return rows


def _count(value: str) -> int:
    return min(int(value), 100) if value.strip().isdigit() else 0


def validate_messages(rows: list[dict]) -> tuple[list[dict] | None, list[dict], list[str]]:
    """(valid messages or None, per-row errors, errors about the whole sequence)."""
    if not rows:
        return None, [], ["Add at least one message."]
    if len(rows) > MAX_MESSAGES:
        return None, [{} for _ in rows], [f"At most {MAX_MESSAGES} messages."]
    payload = [
        {key: value for key, value in row.items() if value != "" and key != "picker"}
        for row in rows
    ]
    for item in payload:  # a number typed in the page (the API takes JSON integers only)
        delay = str(item.pop("delay_hours", "")).strip()
        if delay not in ("", "0"):
            item["delay_hours"] = int(delay) if delay.isdigit() else delay
    serializer = MessageSerializer(data=payload, many=True)
    if serializer.is_valid():
        if serializer.validated_data[0].get("delay_hours"):
            first = {"delay_hours": ["The first message has no previous one to wait after: use 0."]}
            return None, [first] + [{} for _ in rows[1:]], []
        return [dict(item) for item in serializer.validated_data], [{} for _ in rows], []
    errors = serializer.errors
    by_row = errors if isinstance(errors, dict) else dict(enumerate(errors))
    row_errors = []
    for index in range(len(rows)):
        found = by_row.get(index) or by_row.get(str(index)) or {}
        row_errors.append({field: _words(messages) for field, messages in found.items()})
    return None, row_errors, []


def _words(messages) -> list[str]:
    """A field's errors as sentences; a list field's come by item ({0: [...]}): the
    template picker numbers its variables from 1."""
    if isinstance(messages, dict):
        return [
            f"Variable {int(index) + 1}: {message}"
            for index, errors in sorted(messages.items(), key=lambda item: int(item[0]))
            for message in errors
        ]
    return [str(message) for message in messages]


def message_rows_of(campaign) -> list[dict]:
    rows = []
    for message in campaign.messages.all():
        row = {name: getattr(message, name) for name in MESSAGE_FIELDS}
        if message.type == MessageType.TEMPLATE:
            row.update(
                template_name=message.template_name,
                language=message.language,
                parameters=list(message.parameters or []),
            )
        rows.append(row)
    return rows


# Template messages: WhatsApp Cloud API channels only (the picker says so elsewhere).
MESSAGE_TYPES = [
    (value, "Template (WhatsApp Cloud API)" if value == MessageType.TEMPLATE else label)
    for value, label in MessageType.choices
]


class ScheduleForm(forms.Form):
    """When a draft starts, as local date and time in the campaign's timezone."""

    FORMAT = "%Y-%m-%dT%H:%M"

    starts_at = forms.DateTimeField(
        label="Start on",
        input_formats=[FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=FORMAT),
    )

    def __init__(self, *args, campaign, **kwargs):
        self.zone = ZoneInfo(campaign.timezone)
        if campaign.scheduled_start_at:
            local = campaign.scheduled_start_at.astimezone(self.zone).replace(tzinfo=None)
            kwargs.setdefault("initial", {"starts_at": local})
        super().__init__(*args, **kwargs)

    def clean_starts_at(self):
        # The browser sends a naive local time: it is the campaign's, not the server's.
        value = self.cleaned_data["starts_at"]
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)
