"""Dashboard forms for contacts, lists, segments and CSV import.

Forms only parse what a person typed; the services validate and write.
"""

from django import forms

from contacts.models import ChannelType, ContactList
from contacts.segments import FIELD_OPS

OPERATOR_LABELS = {
    "eq": "is",
    "neq": "is not",
    "contains": "contains",
    "not_contains": "does not contain",
    "in": "is one of",
    "before": "is before",
    "after": "is after",
    "exists": "exists",
}
SEGMENT_FIELDS = [
    ("name", "Name"),
    ("phone", "Phone"),
    ("type", "Type"),
    ("tags", "Tag"),
    ("list", "List"),
    ("opted_out", "Opted out"),
    ("created_at", "Created"),
    ("attributes", "Attribute…"),
]
TRUE_WORDS = {"true", "yes", "1", "y", "on"}


def split_tags(text: str) -> list[str]:
    return [tag.strip() for tag in text.replace(";", ",").split(",") if tag.strip()]


def parse_attributes(text: str) -> dict[str, str]:
    """`key: value` per line into a dict; raises ValidationError naming the bad line."""
    attributes = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise forms.ValidationError(f"Line {number}: write it as key: value.")
        attributes[key.strip()] = value.strip()
    return attributes


def format_attributes(attributes: dict) -> str:
    return "\n".join(f"{key}: {value}" for key, value in (attributes or {}).items())


class ContactForm(forms.Form):
    name = forms.CharField(max_length=255, required=False)
    phone = forms.CharField(max_length=32, help_text="International format, e.g. +966501234567.")
    type = forms.ChoiceField(choices=ChannelType.choices, initial=ChannelType.WHATSAPP)
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. vip, riyadh.")
    attributes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line as key: value (used by {{attributes.key}} placeholders).",
    )
    opted_out = forms.BooleanField(required=False, label="Opted out (never message)")

    def clean_tags(self):
        return split_tags(self.cleaned_data["tags"])

    def clean_attributes(self):
        return parse_attributes(self.cleaned_data["attributes"])

    @staticmethod
    def initial_from(contact) -> dict:
        return {
            "name": contact.name,
            "phone": contact.phone,
            "type": contact.type,
            "tags": ", ".join(tag.name for tag in contact.tags.all()),
            "attributes": format_attributes(contact.attributes),
            "opted_out": contact.opted_out,
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A header row with a phone column; name and tags (separated by ;) are "
        "optional; any other column becomes an attribute.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    type = forms.ChoiceField(choices=ChannelType.choices, initial=ChannelType.WHATSAPP)
    contact_list = forms.ModelChoiceField(
        queryset=ContactList.objects.none(),
        required=False,
        label="Add to an existing list",
        empty_label="— none —",
    )
    new_list = forms.CharField(max_length=255, required=False, label="…or to a new list named")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_list"].queryset = ContactList.objects.filter(account=account)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_list") and cleaned.get("new_list"):
            raise forms.ValidationError("Pick an existing list or name a new one, not both.")
        return cleaned


class ListForm(forms.Form):
    name = forms.CharField(max_length=255)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=255)
    match = forms.ChoiceField(
        choices=[("all", "all conditions"), ("any", "any condition")],
        initial="all",
        label="Contacts matching",
    )


def _value_from_text(field: str, op: str, text: str, list_ids: dict[str, int]):
    """What a person typed, as the JSON value a segment rule expects."""
    text = text.strip()
    if op == "exists" or field == "opted_out":
        return text.lower() in TRUE_WORDS if text else True
    if op == "in":
        return [
            _value_from_text(field, "eq", part, list_ids)
            for part in text.split(",")
            if part.strip()
        ]
    if field == "list":
        if text.isdigit():
            return int(text)
        return list_ids.get(text.lower(), text)
    return text


def rules_from_post(data, account) -> tuple[dict, list[dict]]:
    """The rules of the condition rows in a POST, and the rows to show again."""
    list_ids = {
        name.lower(): pk
        for pk, name in ContactList.objects.filter(account=account).values_list("pk", "name")
    }
    rows, conditions = [], []
    fields, keys = data.getlist("cond_field"), data.getlist("cond_key")
    ops, values = data.getlist("cond_op"), data.getlist("cond_value")
    for field, key, op, value in zip(fields, keys, ops, values, strict=False):
        rows.append({"field": field, "key": key, "op": op, "value": value})
        name = f"attributes.{key.strip()}" if field == "attributes" else field
        conditions.append(
            {"field": name, "op": op, "value": _value_from_text(field, op, value, list_ids)}
        )
    return {"match": data.get("match", "all"), "conditions": conditions}, rows


def _text_from_value(field: str, value, list_names: dict[int, str]) -> str:
    if isinstance(value, list):
        return ", ".join(_text_from_value(field, item, list_names) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if field == "list" and isinstance(value, int):
        return list_names.get(value, str(value))
    return str(value)


def rows_from_rules(rules: dict, account) -> list[dict]:
    """Condition rows for the rule builder from saved rules."""
    list_names = dict(ContactList.objects.filter(account=account).values_list("pk", "name"))
    rows = []
    for condition in rules.get("conditions", []):
        field, key = condition["field"], ""
        if field.startswith("attributes."):
            field, key = "attributes", field.split(".", 1)[1]
        value = _text_from_value(field, condition.get("value"), list_names)
        rows.append({"field": field, "key": key, "op": condition["op"], "value": value})
    return rows


def operators_by_field() -> dict[str, list[str]]:
    return {field: list(FIELD_OPS[field]) for field, _ in SEGMENT_FIELDS}
