"""Webhook events reduced to what the database can hold.

JSON may carry NUL characters and lone surrogates, which PostgreSQL refuses. An event
whose address or id has one cannot name anything we store and is dropped; free text
(a message, an error) has them replaced.
"""

import dataclasses

from skylight.text import unstorable_text

from .events import Event

FREE_TEXT = ("text", "error", "reason")


def storable_events(events: list[Event]) -> list[Event]:
    kept = []
    for event in events:
        values = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
        if any(_bad(value) for name, value in values.items() if name not in FREE_TEXT):
            continue
        cleaned = {name: _cleaned(values[name]) for name in FREE_TEXT if name in values}
        kept.append(dataclasses.replace(event, **cleaned))
    return kept


def _bad(value) -> bool:
    return isinstance(value, str) and unstorable_text(value) is not None


def _cleaned(value):
    if not _bad(value):
        return value
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
