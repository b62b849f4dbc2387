"""Query-parameter filters that accept exactly what the OpenAPI document says, else 422."""

import re

import django_filters
from django import forms
from drf_spectacular.drainage import set_override

MAX_ID = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")


class StrictIntegerField(forms.IntegerField):
    """Digits only: `1.0`, `1e3` and ` 1` are refused rather than read as 1."""

    def to_python(self, value):
        if value not in self.empty_values and not _INTEGER.fullmatch(str(value)):
            raise forms.ValidationError("Enter a whole number.", code="invalid")
        return super().to_python(value)


class StrictBooleanField(forms.NullBooleanField):
    """`true` or `false` (absent: no filter); anything else is an error, not ignored."""

    widget = forms.TextInput  # the default select widget maps unknown values to None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Use true or false.", code="invalid")

    def validate(self, value):
        pass


class IdFilter(django_filters.NumberFilter):
    """An id: a positive integer."""

    field_class = StrictIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class TextFilter(django_filters.CharFilter):
    """Free text; documented with its length limit and without NUL (Django refuses it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schema = {"type": "string", "pattern": "^[^\\u0000]*$"}
        if self.extra.get("max_length"):
            schema["maxLength"] = self.extra["max_length"]
        set_override(self, "field", schema)
