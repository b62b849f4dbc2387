"""JSON bodies keep their JSON types: `"1"` is not an integer, `0` is not `false`, `5` is not
a string. DRF coerces all of these; the OpenAPI document promises the types, so the API
refuses the others with 422 naming the field. Form bodies (all strings) are left to DRF.
"""

from collections.abc import Mapping

from django.http import QueryDict
from rest_framework import serializers

CHECKS = (
    (serializers.BooleanField, lambda v: isinstance(v, bool), "Must be true or false."),
    (
        serializers.IntegerField,
        lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Must be an integer.",
    ),
    (serializers.CharField, lambda v: isinstance(v, str), "Must be a string."),
    (serializers.ChoiceField, lambda v: isinstance(v, str), "Must be a string."),
)


def type_problem(field: serializers.Field, value) -> str | None:
    """Why `value` has the wrong JSON type for `field`, or None."""
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        problems = [type_problem(field.child, item) for item in value]
        first = next((problem for problem in problems if problem), None)
        return f"Each item: {first[0].lower()}{first[1:]}" if first else None
    for field_class, accepts, message in CHECKS:
        if isinstance(field, field_class):
            return None if accepts(value) else message
    return None


# No docstring on purpose: drf-spectacular would show it as every serializer's description.
class StrictJsonTypes:  # noqa: D101  (serializer mixin: JSON body fields carry their JSON type)
    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                problem = type_problem(field, data[name])
                if problem:
                    errors[name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
