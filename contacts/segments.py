"""Segment rules: validated on write, compiled to one SQL filter over contacts.

A rule is `{"match": "all"|"any", "conditions": [{"field", "op", "value"}, ...]}`.
Semantics per field:

- name, phone: `eq`/`neq`/`in` compare exactly (phones are normalised to E.164
  first), `contains`/`not_contains` match a case-insensitive substring; `name exists`
  means the name is not blank.
- type: `eq`/`neq`/`in` over the channel types.
- tags: `eq`/`contains` = has the tag, `neq`/`not_contains` = lacks it, `in` = has
  any of them, `exists` = has any tag at all (or none, with `false`).
- created_at: `before`/`after` an ISO date or date-time. A date means the whole day
  in the account's timezone: `after 2026-03-01` starts on 2 March.
- opted_out: `eq`/`neq` a boolean.
- list: `eq` = member of list N, `neq` = not a member, `in` = member of any,
  `exists` = member of any list at all.
- attributes.<key>: `eq`/`neq`/`in` compare JSON values exactly ("5" is not 5),
  `contains`/`not_contains` a case-insensitive substring of the value as text,
  `exists` = the key is present. A contact without the key matches `neq` and
  `not_contains`.

No conditions means every contact of the account.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils.dateparse import parse_date, parse_datetime

from contacts.limits import FORBIDDEN_KEY_CHARS, MAX_ATTRIBUTE_KEY, MAX_TAG
from contacts.models import ChannelType, Contact, ContactList, ListMembership
from contacts.phones import InvalidPhone, normalize_phone
from skylight.domain import Invalid
from skylight.text import unstorable_text

MAX_CONDITIONS = 50
MAX_IN_VALUES = 1000
MAX_TEXT = 255
ATTRIBUTE_PREFIX = "attributes."
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59)
# A bare date spans a day in the account's timezone (up to ±14 h from UTC).
MOMENT_MARGIN = dt.timedelta(days=2)
_BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# SQLite's JSON paths cannot escape these inside a key.

TEXT_OPS = ("eq", "neq", "contains", "not_contains", "in")
FIELD_OPS: dict[str, tuple[str, ...]] = {
    "name": (*TEXT_OPS, "exists"),
    "phone": TEXT_OPS,
    "type": ("eq", "neq", "in"),
    "tags": (*TEXT_OPS, "exists"),
    "created_at": ("before", "after"),
    "opted_out": ("eq", "neq"),
    "list": ("eq", "neq", "in", "exists"),
    "attributes": (*TEXT_OPS, "exists"),
}
FIELD_NAMES = ", ".join([*(name for name in FIELD_OPS if name != "attributes"), "attributes.<key>"])


class _BadValue(Exception):
    pass


# --- validation -----------------------------------------------------------------


def validate_rules(rules, *, account=None) -> dict:
    """Checks a rule object and returns its cleaned form, or raises `Invalid`.

    Errors name the part at fault (`match`, `conditions.2.op`, ...). With `account`,
    list ids are also checked to be that account's lists.
    """
    if not isinstance(rules, dict):
        raise Invalid(['Rules must be an object: {"match": "all", "conditions": [...]}.'])
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(rules) - {"match", "conditions"})
    if unknown:
        errors["non_field_errors"] = [f"Unknown key(s): {', '.join(map(str, unknown))}."]
    match = rules.get("match", "all")
    if match not in ("all", "any"):
        errors["match"] = ['Use "all" or "any".']
    conditions = rules.get("conditions", [])
    cleaned = []
    if not isinstance(conditions, list):
        errors["conditions"] = ["Expected a list of conditions."]
    elif len(conditions) > MAX_CONDITIONS:
        errors["conditions"] = [f"At most {MAX_CONDITIONS} conditions are allowed."]
    else:
        for index, condition in enumerate(conditions):
            cleaned.append(_validate_condition(condition, f"conditions.{index}", errors))
    if account is not None and not errors:
        _check_lists_exist(account, cleaned, errors)
    if errors:
        raise Invalid(errors)
    return {"match": match, "conditions": cleaned}


def _validate_condition(condition, where: str, errors: dict) -> dict | None:
    if not isinstance(condition, dict):
        errors[where] = ['Each condition is an object: {"field", "op", "value"}.']
        return None
    unknown = sorted(set(condition) - {"field", "op", "value"})
    if unknown:
        errors[where] = [f"Unknown key(s): {', '.join(map(str, unknown))}."]
        return None
    name, op = condition.get("field"), condition.get("op")
    kind = _field_kind(name)
    if kind is None:
        errors[f"{where}.field"] = [f"Unknown field {name!r}. Use one of: {FIELD_NAMES}."]
        return None
    if op not in FIELD_OPS[kind]:
        allowed = ", ".join(FIELD_OPS[kind])
        errors[f"{where}.op"] = [
            f"Operator {op!r} does not apply to {name}; use one of: {allowed}."
        ]
        return None
    if "value" not in condition:
        errors[f"{where}.value"] = ["This field is required."]
        return None
    try:
        value = _clean_value(kind, op, condition["value"])
    except _BadValue as exc:
        errors[f"{where}.value"] = [str(exc)]
        return None
    return {"field": name, "op": op, "value": value}


def _field_kind(name) -> str | None:
    if not isinstance(name, str):
        return None
    if name.startswith(ATTRIBUTE_PREFIX):
        key = name[len(ATTRIBUTE_PREFIX) :]
        ok = 0 < len(key) <= MAX_ATTRIBUTE_KEY and not FORBIDDEN_KEY_CHARS & set(key)
        ok = ok and unstorable_text(key) is None
        return "attributes" if ok else None
    return name if name in FIELD_OPS and name != "attributes" else None


def _clean_value(kind: str, op: str, value):
    if op == "exists":
        return _boolean(value)
    if op in ("before", "after"):
        return _moment(value)
    if op == "in":
        if not isinstance(value, list) or not value:
            raise _BadValue("Expected a non-empty list.")
        if len(value) > MAX_IN_VALUES:
            raise _BadValue(f"At most {MAX_IN_VALUES} values are allowed.")
        try:
            return [_scalar(kind, op, item) for item in value]
        except _BadValue as exc:
            raise _BadValue(f"In the list: {exc}") from None
    return _scalar(kind, op, value)


def _scalar(kind: str, op: str, value):
    if kind == "opted_out":
        return _boolean(value)
    if kind == "list":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise _BadValue("Expected a list id (a positive integer).")
        return value
    if kind == "attributes" and op in ("eq", "neq", "in"):
        if isinstance(value, bool | int | float):
            return value
        return _text(value, MAX_TEXT)
    text = _text(value, MAX_TAG if kind == "tags" else MAX_TEXT)
    if kind == "type" and text not in ChannelType.values:
        raise _BadValue(f"Unknown type {text!r}. Use one of: {', '.join(ChannelType.values)}.")
    if kind == "phone" and op in ("eq", "neq", "in"):
        try:
            return normalize_phone(text)
        except InvalidPhone as exc:
            raise _BadValue(exc.message) from None
    return text


def _text(value, max_length: int) -> str:
    if not isinstance(value, str):
        raise _BadValue("Expected a string.")
    text = value.strip()
    if not text:
        raise _BadValue("Expected a non-blank string.")
    if len(text) > max_length or "\x00" in text:
        raise _BadValue(f"Expected at most {max_length} characters (and no NUL).")
    if problem := unstorable_text(text):
        raise _BadValue(problem)
    return text


def _boolean(value) -> bool:
    if not isinstance(value, bool):
        raise _BadValue("Expected true or false.")
    return value


def _moment(value) -> str:
    parsed = _parse_moment(value, dt.UTC) if isinstance(value, str) else None
    if parsed is not None:
        _check_storable_moment(parsed[0])
        return value.strip()
    raise _BadValue(
        f"{value!r} is not a date; use YYYY-MM-DD or an ISO 8601 date-time "
        "(e.g. 2026-03-01T08:00:00Z)."
    )


def _check_storable_moment(moment: dt.datetime) -> None:
    """Refuses moments the databases cannot compare with, in any account's timezone.

    PostgreSQL takes UTC offsets up to ±15:59; the day after a date (`after`) and the
    widest timezone shift must stay within years 1 to 9999.
    """
    if abs(moment.utcoffset()) > MAX_UTC_OFFSET:
        raise _BadValue("The UTC offset must be between -15:59 and +15:59.")
    try:
        (moment - MOMENT_MARGIN).astimezone(dt.UTC)
        (moment + MOMENT_MARGIN).astimezone(dt.UTC)
    except OverflowError:
        raise _BadValue("The date must be between 0001-01-03 and 9999-12-29.") from None


def _parse_moment(text: str, tz) -> tuple[dt.datetime, bool] | None:
    """(aware datetime, whether it was a bare date) or None when unreadable."""
    text = text.strip()
    try:
        if _BARE_DATE.fullmatch(text):
            day = parse_date(text)
            return dt.datetime.combine(day, dt.time.min, tzinfo=tz), True
        moment = parse_datetime(text)
    except (ValueError, TypeError):
        return None
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)), False


def _check_lists_exist(account, conditions: list[dict], errors: dict) -> None:
    wanted: dict[int, str] = {}
    for index, condition in enumerate(conditions):
        if condition["field"] == "list" and condition["op"] != "exists":
            values = condition["value"] if condition["op"] == "in" else [condition["value"]]
            for list_id in values:
                wanted.setdefault(list_id, f"conditions.{index}.value")
    if not wanted:
        return
    found = set(
        ContactList.objects.filter(account=account, pk__in=wanted).values_list("pk", flat=True)
    )
    for list_id, where in wanted.items():
        if list_id not in found:
            errors.setdefault(where, []).append(
                f"No contact list with id {list_id} in this account."
            )


# --- compilation ----------------------------------------------------------------


@dataclass
class _Compiled:
    account: object
    aliases: dict = field(default_factory=dict)


def contacts_matching(account, rules) -> QuerySet[Contact]:
    """The account's contacts matching `rules`, as one lazy queryset (nothing is loaded)."""
    cleaned = validate_rules(rules)
    compiled = _Compiled(account=account)
    parts = [_condition_q(c, compiled) for c in cleaned["conditions"]]
    combine = and_ if cleaned["match"] == "all" else or_
    where = reduce(combine, parts) if parts else Q()
    return Contact.objects.filter(account=account).alias(**compiled.aliases).filter(where)


def segment_queryset(segment) -> QuerySet[Contact]:
    """The current members of a saved segment."""
    return contacts_matching(segment.account, segment.rules)


def _condition_q(condition: dict, compiled: _Compiled) -> Q:
    name, op, value = condition["field"], condition["op"], condition["value"]
    if name.startswith(ATTRIBUTE_PREFIX):
        return _attribute_q(name[len(ATTRIBUTE_PREFIX) :], op, value, compiled)
    return _COMPILERS[name](op, value, compiled)


def _column_q(column: str):
    def compile_(op, value, compiled) -> Q:
        if op == "exists":
            blank = Q(**{column: ""})
            return ~blank if value else blank
        lookup = {
            "eq": column,
            "neq": column,
            "in": f"{column}__in",
            "contains": f"{column}__icontains",
            "not_contains": f"{column}__icontains",
        }[op]
        q = Q(**{lookup: value})
        return ~q if op in ("neq", "not_contains") else q

    return compile_


def _opted_out_q(op, value, compiled) -> Q:
    return Q(opted_out=value if op == "eq" else not value)


def _created_at_q(op, value, compiled) -> Q:
    moment, is_date = _parse_moment(value, _account_zone(compiled.account))
    if op == "before":
        return Q(created_at__lt=moment)
    if is_date:
        return Q(created_at__gte=moment + dt.timedelta(days=1))
    return Q(created_at__gt=moment)


def _account_zone(account) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(account.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _tags_q(op, value, compiled) -> Q:
    through = Contact.tags.through.objects.filter(contact_id=OuterRef("pk"))
    if op == "exists":
        has_any = Exists(through)
        return Q(has_any) if value else ~Q(has_any)
    names = value if op == "in" else [value]
    has = Q(Exists(through.filter(tag__name__in=names)))
    return ~has if op in ("neq", "not_contains") else has


def _list_q(op, value, compiled) -> Q:
    memberships = ListMembership.objects.filter(
        contact_id=OuterRef("pk"), contact_list__account=compiled.account
    )
    if op == "exists":
        return Q(Exists(memberships)) if value else ~Q(Exists(memberships))
    ids = value if op == "in" else [value]
    member = Q(Exists(memberships.filter(contact_list_id__in=ids)))
    return ~member if op == "neq" else member


def _attribute_q(key: str, op: str, value, compiled: _Compiled) -> Q:
    has_key = Q(attributes__has_key=key)
    if op == "exists":
        return has_key if value else ~has_key
    alias = f"attribute_{len(compiled.aliases)}"
    compiled.aliases[alias] = KeyTransform(key, "attributes")
    lookup = {
        "eq": alias,
        "neq": alias,
        "in": f"{alias}__in",
        "contains": f"{alias}__icontains",
        "not_contains": f"{alias}__icontains",
    }[op]
    matches = has_key & Q(**{lookup: value})
    return ~matches if op in ("neq", "not_contains") else matches


_COMPILERS = {
    "name": _column_q("name"),
    "phone": _column_q("phone"),
    "type": _column_q("type"),
    "tags": _tags_q,
    "created_at": _created_at_q,
    "opted_out": _opted_out_q,
    "list": _list_q,
}
