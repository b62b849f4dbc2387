"""JSON Schemas of the free-form contact fields, for the OpenAPI document."""

import re

from contacts.limits import (
    FORBIDDEN_KEY_CHARS,
    MAX_ATTRIBUTE_KEY,
    MAX_ATTRIBUTE_VALUE,
    MAX_ATTRIBUTES,
)
from contacts.segments import ATTRIBUTE_PREFIX, FIELD_OPS, MAX_CONDITIONS

ATTRIBUTES_SCHEMA = {
    "type": "object",
    "description": "A flat object: string, number, boolean or null values.",
    "maxProperties": MAX_ATTRIBUTES,
    "additionalProperties": {
        "nullable": True,
        "anyOf": [
            {"type": "string", "maxLength": MAX_ATTRIBUTE_VALUE},
            {"type": "number"},
            {"type": "boolean"},
        ],
    },
    "example": {"city": "Riyadh", "orders": 3},
}


def _field_pattern() -> str:
    plain = "|".join(re.escape(name) for name in FIELD_OPS if name != "attributes")
    forbidden = "".join(re.escape(char) for char in sorted(FORBIDDEN_KEY_CHARS) if char != "\x00")
    key = f"[^{forbidden}\\u0000]{{1,{MAX_ATTRIBUTE_KEY}}}"
    return f"^({plain}|{re.escape(ATTRIBUTE_PREFIX)}{key})$"


SEGMENT_RULES_SCHEMA = {
    "type": "object",
    "description": "Contacts matching all (or any) of the conditions; each op applies to "
    "some fields only, and the value's type follows the op (see docs/api.md).",
    "additionalProperties": False,
    "properties": {
        "match": {"type": "string", "enum": ["all", "any"], "default": "all"},
        "conditions": {
            "type": "array",
            "maxItems": MAX_CONDITIONS,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["field", "op", "value"],
                "properties": {
                    "field": {"type": "string", "pattern": _field_pattern()},
                    "op": {
                        "type": "string",
                        "enum": sorted({op for ops in FIELD_OPS.values() for op in ops}),
                    },
                    "value": {"description": "A string, number, boolean, date or list."},
                },
            },
        },
    },
    "example": {
        "match": "all",
        "conditions": [
            {"field": "tags", "op": "contains", "value": "vip"},
            {"field": "attributes.city", "op": "eq", "value": "Riyadh"},
        ],
    },
}
