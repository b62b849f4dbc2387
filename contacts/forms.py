"""Dashboard forms for contacts, lists, segments and CSV import.

Forms only parse what a person typed; the services validate and write.
"""

from django import forms

from contacts.importing import target_choices
from contacts.models import ChannelType, ContactList
from contacts.segments import FIELD_OPS
from skylight.models import country_choices

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
    phone = forms.CharField(
        max_length=32,
        help_text="International format (+966501234567), or a local number when the "
        "account has a default country.",
    )
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


def _country_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False,
        label="Country of local numbers",
        help_text="Numbers without a country code (0551112234) are read as numbers of "
        "this country.",
        choices=[("", "— none: international numbers only —"), *country_choices()],
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A header row, then one contact per row. Next you choose what each "
        "column holds (phone, name, tags separated by ;, an attribute, or nothing).",
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
    default_country = _country_field()

    def __init__(self, *args, account, **kwargs):
        kwargs.setdefault("initial", {"default_country": account.default_country})
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["contact_list"].queryset = ContactList.objects.filter(account=account)

    def clean_default_country(self):
        """Not sent at all (a script posting the file): the account's default country."""
        if "default_country" not in self.data:
            return self.account.default_country
        return self.cleaned_data["default_country"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_list") and cleaned.get("new_list"):
            raise forms.ValidationError("Pick an existing list or name a new one, not both.")
        return cleaned


class ImportMappingForm(forms.Form):
    """The mapping step: a target per column of the uploaded file, the country again."""

    stash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    default_country = _country_field()

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = target_choices(header)
        for index, name in enumerate(header):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                choices=choices, label=name or f"Column {index + 1}"
            )
        self.header = header

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.header))]

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"column_{index}"] for index in range(len(self.header))]


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
