"""Segment rule errors in words, placed on the condition row they belong to.

The rules validator names the part at fault (`conditions.1.field`, ...) for API users;
the rule builder shows a sentence next to the condition instead.
"""

import re

from contacts.forms import OPERATOR_LABELS, SEGMENT_FIELDS
from contacts.limits import MAX_ATTRIBUTE_KEY

_WHERE = re.compile(r"^conditions\.(\d+)\.(field|op|value)$")
_FIELD_LABELS = dict(SEGMENT_FIELDS)


def _message(part: str, row: dict, detail: str) -> str:
    field = row.get("field", "")
    label = _FIELD_LABELS.get(field, field).rstrip("…").lower()
    if part == "field":
        if field == "attributes" and not row.get("key", "").strip():
            return "Type the attribute's key, for example city."
        if field == "attributes":
            return (
                f"That attribute key cannot be used: 1 to {MAX_ATTRIBUTE_KEY} characters, "
                "without quotes or backslashes."
            )
        return "Pick a field from the list."
    if part == "op":
        op = OPERATOR_LABELS.get(row.get("op", ""), row.get("op", ""))
        return f"“{op}” does not apply to {label}: pick another operator."
    if field == "list":
        return f"There is no list named “{row.get('value', '').strip()}”."
    if detail == "This field is required." or not row.get("value", "").strip():
        return "Type a value."
    return f"The value does not fit: {detail[:1].lower()}{detail[1:]}"


def place_errors(detail: dict | list, rows: list[dict]) -> tuple[list[str], list[str]]:
    """(one message per row, "" where the row is fine; messages about the whole rule)."""
    per_row = ["" for _ in rows]
    general: list[str] = []
    if isinstance(detail, dict):  # a service's flat errors name the rules' parts "rules.…"
        detail = {str(key).removeprefix("rules."): value for key, value in detail.items()}
    if isinstance(detail, dict) and "rules" in detail:  # a service's error nests the rules'
        inner = detail["rules"]
        rest = {key: value for key, value in detail.items() if key != "rules"}
        detail = {**inner, **rest} if isinstance(inner, dict) else {"": inner, **rest}
    items = detail.items() if isinstance(detail, dict) else [("", detail)]
    for key, messages in items:
        messages = messages if isinstance(messages, list) else [messages]
        found = _WHERE.match(str(key))
        index = int(found.group(1)) if found else -1
        if 0 <= index < len(rows):
            per_row[index] = per_row[index] or _message(
                found.group(2), rows[index], str(messages[0])
            )
        elif str(key) == "match":
            general.append("Choose whether all conditions or any condition must match.")
        else:
            general.extend(str(message) for message in messages)
    return per_row, general
