"""What a provider's error means for the sender, one table per provider.

Each row maps a provider's own error (a Graph code, a Telegram status and description,
a Twilio code, a gateway's HTTP status or body) to an `Action` the send engine takes
(see ../shared/providers.md). A transport looks its error up here and raises
`TransportError(action=...)`; the engine acts on the action alone, so no provider
code is tested anywhere else.
"""

from dataclasses import dataclass
from enum import StrEnum

from .base import TransportError


class Action(StrEnum):
    """What the engine does about one failed send."""

    BACK_OFF_NUMBER = "back_off_number"  # the whole number waits (Retry-After), then retries
    SPACE_RECIPIENT = "space_recipient"  # only this contact waits, the number goes on
    DEFER_CONTACT = "defer_contact"  # this contact waits 24 h and gives its slot back
    UNREACHABLE = "unreachable"  # skipped for good: not on the network
    NEEDS_TEMPLATE = "needs_template"  # failed: only an approved template may go
    OPT_OUT = "opt_out"  # failed; the person is opted out and suppressed, like a STOP
    PAUSE_NUMBER = "pause_number"  # every running campaign on the number is safety-paused
    RETRY = "retry"  # nothing was accepted: retried later
    FAIL = "fail"  # rejected: not retried


TRANSIENT_ACTIONS = {
    Action.BACK_OFF_NUMBER,
    Action.SPACE_RECIPIENT,
    Action.DEFER_CONTACT,
    Action.PAUSE_NUMBER,
    Action.RETRY,
}


@dataclass(frozen=True)
class Rule:
    """One row: the action and what the error means, in words for people."""

    action: Action
    words: str
    retry_after: float | None = None  # when the provider names no Retry-After


# Meta WhatsApp Cloud API (Graph error `code`, also in status webhooks' `errors[]`).
META: dict[int, Rule] = {
    130429: Rule(Action.BACK_OFF_NUMBER, "throughput limit reached", retry_after=60),
    131056: Rule(Action.SPACE_RECIPIENT, "too many messages to this person in a short time"),
    131049: Rule(Action.DEFER_CONTACT, "held back by Meta to keep the ecosystem healthy"),
    131026: Rule(Action.UNREACHABLE, "undeliverable: not on WhatsApp or an old client"),
    131047: Rule(Action.NEEDS_TEMPLATE, "needs an approved template (24-hour window closed)"),
    131050: Rule(Action.OPT_OUT, "the person stopped marketing messages"),
    131048: Rule(Action.PAUSE_NUMBER, "WhatsApp spam rate limit hit (131048)"),
    368: Rule(
        Action.PAUSE_NUMBER, "WhatsApp temporarily blocked the number for policy violations (368)"
    ),
    # Graph's generic "slow down / try later" codes: nothing was accepted.
    1: Rule(Action.RETRY, "unknown Graph error, try again"),
    2: Rule(Action.RETRY, "Graph service temporarily unavailable"),
    4: Rule(Action.BACK_OFF_NUMBER, "application request limit reached", retry_after=60),
    17: Rule(Action.BACK_OFF_NUMBER, "user request limit reached", retry_after=60),
    341: Rule(Action.BACK_OFF_NUMBER, "application limit reached", retry_after=60),
    80007: Rule(Action.BACK_OFF_NUMBER, "WhatsApp Business Account rate limit", retry_after=60),
    131000: Rule(Action.RETRY, "something went wrong at Meta"),
}

# Telegram Bot API: (error_code, a fragment of the lower-cased description; "" = any).
TELEGRAM: dict[tuple[int, str], Rule] = {
    (429, ""): Rule(Action.BACK_OFF_NUMBER, "too many requests for the bot", retry_after=30),
    (403, "bot was blocked by the user"): Rule(Action.OPT_OUT, "the person blocked the bot"),
    (403, "user is deactivated"): Rule(Action.OPT_OUT, "the person deleted their account"),
    (403, "bot can't initiate"): Rule(Action.OPT_OUT, "the person never started the bot"),
    (400, "chat not found"): Rule(Action.UNREACHABLE, "no such chat"),
}

# Twilio (`code` of the error body).
TWILIO: dict[int, Rule] = {
    21610: Rule(Action.OPT_OUT, "the person replied STOP to this sender"),
    20429: Rule(Action.BACK_OFF_NUMBER, "too many requests", retry_after=30),
    14107: Rule(Action.BACK_OFF_NUMBER, "SMS send rate limit exceeded", retry_after=30),
    30022: Rule(Action.BACK_OFF_NUMBER, "US A2P 10DLC rate limit exceeded", retry_after=30),
    21614: Rule(Action.UNREACHABLE, "not a mobile number"),
    63003: Rule(Action.UNREACHABLE, "not a WhatsApp number"),
}

# WAHA (HTTP status, or "session:<status>" of a 422 saying the session is not WORKING;
# other session states only make the channel unavailable until it works again).
WAHA: dict[int | str, Rule] = {
    429: Rule(Action.BACK_OFF_NUMBER, "the gateway asks to slow down", retry_after=30),
    "session:FAILED": Rule(Action.PAUSE_NUMBER, "the WhatsApp session failed: logged out"),
    "session:SCAN_QR_CODE": Rule(
        Action.PAUSE_NUMBER, "the WhatsApp session wants a new QR scan: logged out"
    ),
}

# Evolution API v2 (HTTP status; "not_on_whatsapp": a 400 whose `response.message` holds
# an item with `exists: false`).
EVOLUTION: dict[int | str, Rule] = {
    429: Rule(Action.BACK_OFF_NUMBER, "the gateway asks to slow down", retry_after=30),
    "not_on_whatsapp": Rule(Action.UNREACHABLE, "the number is not on WhatsApp"),
}

# The webhook gateway (the user's own endpoint) speaks plain HTTP.
GATEWAY: dict[int, Rule] = {
    429: Rule(Action.BACK_OFF_NUMBER, "the gateway asks to slow down", retry_after=30),
}


def telegram_rule(code: int, description: str) -> Rule | None:
    text = (description or "").lower()
    for (row_code, fragment), rule in TELEGRAM.items():
        if row_code == code and fragment in text:
            return rule
    return None


def error_for_rule(
    rule: Rule, *, status: int, detail: str, code="", retry_after: float | None = None
) -> TransportError:
    """The TransportError a row stands for. A 401 is never retried as a slow-down: the
    credentials are wrong."""
    transient = rule.action in TRANSIENT_ACTIONS and status != 401
    words = f"{rule.words} ({detail})" if detail else rule.words
    action = rule.action if transient or rule.action not in TRANSIENT_ACTIONS else Action.FAIL
    return TransportError(
        TransportError.TRANSIENT if transient else TransportError.PERMANENT,
        f"HTTP {status}: {words}",
        retry_after=retry_after if retry_after is not None else rule.retry_after,
        code=str(code or ""),
        opt_out=action == Action.OPT_OUT,
        unreachable=action == Action.UNREACHABLE,
        action=action,
    )
