"""Engine knobs: a Django setting if present, else an environment variable, else a default.

Gaps between messages default to 0 under tests (settings.TESTING) so suites run fast.
"""

import os

from django.conf import settings


def _number(name: str, default: float) -> float:
    if hasattr(settings, name):
        return float(getattr(settings, name))
    return float(os.environ.get(name, default))


def _testing() -> bool:
    return bool(getattr(settings, "TESTING", False))


def sequence_gap_seconds() -> float:
    """Pause between the messages of one contact's sequence."""
    return _number("SKYLIGHT_SEQUENCE_GAP_SECONDS", 0 if _testing() else 3)


def contact_gap_seconds() -> float:
    """Upper bound of the random pause between consecutive contacts of one batch."""
    return _number("SKYLIGHT_CONTACT_GAP_SECONDS", 0 if _testing() else 4)


def pacing_jitter_seconds() -> float:
    """Upper bound of the random delay added to a campaign's next planned send."""
    return _number("SKYLIGHT_PACING_JITTER_SECONDS", 90)


def cycle_seconds() -> float:
    """How often the cycle runs; pacing completes the day this long before the window closes."""
    return _number("SKYLIGHT_CYCLE_SECONDS", 60)


def batch_size() -> int:
    return int(_number("SKYLIGHT_SEND_BATCH_SIZE", 25))


def batch_seconds() -> float:
    """A batch stops claiming after this long (well inside django-q2's task timeout); the
    rest waits for the next cycle."""
    return _number("SKYLIGHT_BATCH_SECONDS", 120)


def claim_timeout_seconds() -> float:
    """A claim still `sending` after this long belongs to a dead worker."""
    return _number("SKYLIGHT_CLAIM_TIMEOUT_SECONDS", 900)


def max_attempts() -> int:
    return int(_number("SKYLIGHT_MAX_ATTEMPTS", 3))


def retry_backoff_seconds() -> float:
    """First retry delay; each further attempt waits four times longer."""
    return _number("SKYLIGHT_RETRY_BACKOFF_SECONDS", 60)


def planning_chunk() -> int:
    return int(_number("SKYLIGHT_PLANNING_CHUNK", 500))


def channel_probe_seconds() -> float:
    """How often a channel marked unavailable is asked whether it can send again."""
    return _number("SKYLIGHT_CHANNEL_PROBE_SECONDS", 120)


def worker_concurrency() -> int:
    """Provider calls one worker (one round) keeps in flight at most."""
    return int(_number("SKYLIGHT_WORKER_CONCURRENCY", 50))


def outcome_writers() -> int:
    """Writer threads (each with its own database connection) that write a round's big
    flushes of outcomes behind its sending (round_recording.py); 0 writes them inline."""
    return int(_number("SKYLIGHT_OUTCOME_WRITERS", 2))


def number_concurrency() -> int:
    """Lanes that may send through one number at once, across all workers."""
    return int(_number("SKYLIGHT_NUMBER_CONCURRENCY", 1))


def number_poll_seconds() -> float:
    """How soon a lane looks again at a number another lane holds."""
    return _number("SKYLIGHT_NUMBER_POLL_SECONDS", 0.25)


def round_numbers() -> int:
    """Numbers one round (one worker task) serves at most; more numbers make more rounds."""
    return int(_number("SKYLIGHT_ROUND_NUMBERS", 500))


def round_workers() -> int:
    """Rounds a cycle makes at least: one per qcluster worker."""
    return int(getattr(settings, "Q_CLUSTER", {}).get("workers", 1) or 1)
