"""API shapes of contacts, lists and segments. Writes go through contacts.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.limits import MAX_TAG, MAX_TAGS, attributes_problem
from contacts.models import ChannelType, Contact, ContactList, Segment
from contacts.openapi import ATTRIBUTES_SCHEMA, SEGMENT_RULES_SCHEMA
from contacts.phones import E164_PATTERN, MAX_RAW_LENGTH, normalize_phone
from contacts.segments import validate_rules
from skylight.api.fields import (
    AccountIdListField,
    AccountObjectIdField,
    SharedChoicesField,
    datetime_text,
)
from skylight.api.strict import StrictJsonTypes
from skylight.models import country_choices
from skylight.uploads import max_upload_bytes, upload_limit_text


class TagNamesField(serializers.ListField):
    """Tags as a list of names; written as names, created on demand."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=MAX_TAG), max_length=MAX_TAGS, **kwargs
        )

    def to_internal_value(self, data):
        return list(dict.fromkeys(super().to_internal_value(data)))

    def to_representation(self, value):
        return [tag.name for tag in value.all()]


@extend_schema_field(ATTRIBUTES_SCHEMA)
class AttributesField(serializers.JSONField):
    """A flat object of scalar values (strings, numbers, booleans, null)."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        problem = attributes_problem(data)
        if problem:
            raise serializers.ValidationError(problem)
        return data


@extend_schema_field({"type": "string", "pattern": E164_PATTERN, "example": "+966501234567"})
class PhoneField(serializers.CharField):
    """A phone number as a string (a JSON number would lose its `+` and leading zeros)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_RAW_LENGTH)
        kwargs.setdefault("help_text", "Normalised to E.164, e.g. +966501234567")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Enter the phone number as a string.")
        account = self.context.get("account")
        region = getattr(account, "default_country", None)
        return normalize_phone(super().to_internal_value(data), region)


class ContactSerializer(StrictJsonTypes, serializers.ModelSerializer):
    name = serializers.CharField(max_length=255, allow_blank=True, default="")
    phone = PhoneField()
    type = serializers.ChoiceField(choices=ChannelType.choices, default=ChannelType.WHATSAPP)
    tags = TagNamesField(default=list)
    attributes = AttributesField(default=dict)
    opted_out = serializers.BooleanField(default=False)

    class Meta:
        model = Contact
        fields = [
            "id", "name", "phone", "type", "tags", "attributes", "opted_out", "opted_out_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "opted_out_at", "created_at"]

    def to_representation(self, contact):
        # Written out by hand: DRF would build and run nine field objects per row, most
        # of a 100-row page's time. The fields above still validate input and document
        # the schema; tests/contacts/test_contact_representation.py keeps both equal.
        return {
            "id": contact.pk,
            "name": contact.name,
            "phone": contact.phone,
            "type": str(contact.type),
            "tags": [tag.name for tag in _tags_of(contact)],
            "attributes": contact.attributes,
            "opted_out": bool(contact.opted_out),
            "opted_out_at": datetime_text(contact.opted_out_at),
            "created_at": datetime_text(contact.created_at),
        }


def _tags_of(contact: Contact):
    """The contact's tags: the prefetched list when the queryset made one."""
    tags = getattr(contact, "tag_list", None)
    return contact.tags.all() if tags is None else tags


class ContactImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a header row: name, phone, tags, ...")
    list_id = AccountObjectIdField(model=ContactList, required=False, allow_null=True)
    type = serializers.ChoiceField(choices=ChannelType.choices, default=ChannelType.WHATSAPP)
    default_country = SharedChoicesField(
        choices=country_choices(),
        required=False,
        help_text="ISO 3166 alpha-2 country in which numbers without a country code "
        "(0551112234) are read; defaults to the account's default_country.",
    )
    mapping = serializers.JSONField(
        required=False,
        binary=True,
        help_text='A JSON object naming the target of columns by header: "phone", "name", '
        '"tags", "attribute:<key>" or "ignore", e.g. {"Mobile": "phone", "Notes": "ignore"}. '
        "Columns not named are guessed from their header.",
    )

    def validate_mapping(self, mapping):
        if not isinstance(mapping, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
        ):
            raise serializers.ValidationError(
                'Give an object of column names to targets, e.g. {"Mobile": "phone"}.'
            )
        return mapping

    def validate_file(self, file):
        if file.size > max_upload_bytes():
            raise serializers.ValidationError(f"The file is larger than {upload_limit_text()}.")
        return file


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    phone = serializers.CharField()
    reason = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)


class ContactListSerializer(StrictJsonTypes, serializers.ModelSerializer):
    contacts_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ContactList
        fields = ["id", "name", "description", "contacts_count", "created_at"]
        read_only_fields = ["id", "created_at"]


class ListMembersSerializer(StrictJsonTypes, serializers.Serializer):
    contact_ids = AccountIdListField(model=Contact, allow_empty=False)


class ListMembersResultSerializer(serializers.Serializer):
    added = serializers.IntegerField(required=False)
    removed = serializers.IntegerField(required=False)
    contacts_count = serializers.IntegerField()


@extend_schema_field(SEGMENT_RULES_SCHEMA)
class SegmentRulesField(serializers.JSONField):
    """`{"match": "all"|"any", "conditions": [{"field", "op", "value"}]}`."""


class SegmentSerializer(StrictJsonTypes, serializers.ModelSerializer):
    rules = SegmentRulesField()

    class Meta:
        model = Segment
        fields = ["id", "name", "rules", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_rules(self, value):
        return validate_rules(value, account=self.context["account"])
