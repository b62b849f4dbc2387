"""What a flush of outcomes means for the number's safety.

Inside the recording transaction: each finished attempt is added to the channel's
breaker window (`ChannelAttempt`), and a person the provider says refuses messages
(blocked the bot, stopped marketing messages) is opted out and suppressed the way a STOP
is. After it commits: a provider that stopped the number (131048, 368) pauses it at
once; otherwise the circuit breaker looks at the window (campaigns/breaker.py).
"""

import logging
from datetime import datetime

from campaigns.breaker import breaker_check
from campaigns.models import ChannelAttempt, ContactStatus
from channels.safety import channel_safety_pause
from channels.transports import TransportError
from channels.webhooks.apply import address_opt_out
from contacts.models import Contact
from contacts.webhook_events import opted_out_emit

from .sending import Outcome

logger = logging.getLogger("skylight.engine")

Kind = ChannelAttempt.Kind


def attempt_kind(outcome: Outcome) -> str | None:
    """How the breaker counts an outcome; None: not finished (retried or paused)."""
    if outcome.opt_out:
        return Kind.REFUSED
    if outcome.status == ContactStatus.SENT:
        return Kind.OK
    if outcome.status == ContactStatus.SKIPPED:
        return Kind.FAILED  # unreachable: a permanent failure, and a spam signal in bulk
    if outcome.status == ContactStatus.FAILED:
        return Kind.FAILED if outcome.error_kind == TransportError.PERMANENT else Kind.OTHER
    return None


def attempts_record(items) -> None:
    """Adds the finished attempts of (recorder, outcome) pairs to their channels' windows."""
    rows = [
        ChannelAttempt(channel_id=target.channel.pk, at=outcome.finished_at, kind=kind)
        for target, outcome in items
        if (kind := attempt_kind(outcome))
    ]
    if rows:
        ChannelAttempt.objects.bulk_create(rows)


def refusals_record(items, now: datetime) -> None:
    """Contacts who refuse messages are opted out, and their address suppressed (source
    `stop`), so no campaign of the account messages it again."""
    refused = [(target, outcome) for target, outcome in items if outcome.opt_out]
    if not refused:
        return
    ids = [outcome.claim.contact_id for _, outcome in refused]
    changed = list(Contact.objects.filter(pk__in=ids, opted_out=False).values_list("pk", flat=True))
    Contact.objects.filter(pk__in=changed, opted_out=False).update(
        opted_out=True, opted_out_at=now, updated_at=now
    )
    opted_out_emit(changed, reason="The provider says the recipient refuses messages.")
    for target, outcome in refused:
        reason = f"Refused by the provider: {outcome.error}"[:250]
        address_opt_out(channel=target.channel, address=outcome.claim.address, reason=reason)
    logger.info("contacts=%s opted out: the provider says they refuse messages", ids)


def after_flush(items, now: datetime) -> None:
    """Pauses numbers the provider stopped, then lets the breaker judge the others."""
    stopped: dict[int, str] = {}
    for target, outcome in items:
        if outcome.pause_number:
            stopped.setdefault(target.channel.pk, outcome.pause_number)
    for channel_id, message in stopped.items():
        reason = f"The provider stopped the number: {message}"
        channel_safety_pause(channel_id=channel_id, reason=reason, now=now)
    others = {target.channel.pk for target, _ in items} - set(stopped)
    if others:
        breaker_check(channel_ids=others, now=now)
