"""Serializer fields shared by the API."""

from zoneinfo import available_timezones

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

ID_CHECK_BATCH = 20_000


class AccountObjectIdField(serializers.IntegerField):
    """An id of one of the request account's objects of `model`; others are 'not found'.

    Validated as the object itself (`to_internal_value` returns the instance).
    """

    default_error_messages = {"not_found": "No {model} with id {value} in this account."}

    def __init__(self, *, model, **kwargs):
        self.model = model
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # Validators (min_value) compare the integer, so the lookup comes after them.
        value = super().run_validation(data)
        if value is None:
            return value
        account = self.context["account"]
        instance = self.model.objects.filter(account=account, pk=value).first()
        if instance is None:
            self.fail("not_found", model=self.model._meta.verbose_name, value=value)
        return instance

    def to_representation(self, value):
        return getattr(value, "pk", value)


class AccountIdListField(serializers.ListField):
    """A list of ids of the account's `model` objects, checked in one query.

    Duplicates are folded; unknown or foreign ids fail naming them.
    """

    def __init__(self, *, model, max_length=1_000_000, **kwargs):
        self.model = model
        super().__init__(
            child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
            max_length=max_length,
            **kwargs,
        )

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        if not ids:
            return ids
        account = self.context["account"]
        found = set()
        # One query for any usual list; chunks keep huge ones under SQLite's parameter limit.
        for start in range(0, len(ids), ID_CHECK_BATCH):
            chunk = ids[start : start + ID_CHECK_BATCH]
            mine = self.model.objects.filter(account=account, pk__in=chunk)
            found.update(mine.values_list("pk", flat=True))
        missing = [pk for pk in ids if pk not in found]
        if missing:
            shown = ", ".join(str(pk) for pk in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise serializers.ValidationError(
                f"No {self.model._meta.verbose_name} with id {shown}{more} in this account."
            )
        return ids


_DATETIME = serializers.DateTimeField()


def datetime_text(value) -> str | None:
    """A datetime as every DateTimeField of the API writes it; None stays None.

    For serializers that build their rows by hand (the hot listings), so their output
    stays byte-for-byte what the declared fields would give.
    """
    return None if value is None else _DATETIME.to_representation(value)


@extend_schema_field({"type": "string", "enum": sorted(available_timezones()), "example": "UTC"})
class TimezoneField(serializers.CharField):
    """An IANA time zone name, e.g. `Asia/Riyadh` (validated by the serializer using it)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)


class SharedChoicesField(serializers.ChoiceField):
    """A ChoiceField whose (long, never changed) choices are shared between copies.

    DRF deep-copies every declared field for each serializer instance; for the ~250
    countries that copy cost more than the rest of `GET /account` (docs/benchmarks.md).
    """

    def __deepcopy__(self, memo):
        choices = self._kwargs.get("choices")
        if choices is not None:
            memo[id(choices)] = choices
        return super().__deepcopy__(memo)
