"""Number locks: at most `number_concurrency()` lanes send through one number at a time.

A lane holds one of the number's slots for as long as it sends through the number. On
PostgreSQL a slot is a session advisory lock on the worker's connection: it is never
waited for (`pg_try_advisory_lock`), and it disappears with the connection, so a worker
killed mid-send frees its numbers at once (its claim is failed by the reaper as usual).
SQLite (development) has no such locks: slots are held in this process only.
"""

import threading

from django.db import connection

from . import config

# The advisory-lock key space of number slots: (LANE_SPACE << 40) + channel * 64 + slot.
LANE_SPACE = 0x5C1
SLOTS_PER_CHANNEL = 64

_local_slots: set[tuple[int, int]] = set()
_local_guard = threading.Lock()


def _key(channel_id: int, slot: int) -> int:
    return (LANE_SPACE << 40) + channel_id * SLOTS_PER_CHANNEL + slot


def take_number(channel_id: int) -> int | None:
    """The slot of the number now held by this connection, or None if all are in use."""
    slots = min(max(config.number_concurrency(), 1), SLOTS_PER_CHANNEL)
    for slot in range(slots):
        if _try(channel_id, slot):
            return slot
    return None


def release_number(channel_id: int, slot: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(channel_id, slot)])
        return
    with _local_guard:
        _local_slots.discard((channel_id, slot))


def _try(channel_id: int, slot: int) -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(channel_id, slot)])
            return bool(cursor.fetchone()[0])
    with _local_guard:
        if (channel_id, slot) in _local_slots:
            return False
        _local_slots.add((channel_id, slot))
        return True
