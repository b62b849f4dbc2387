"""Sending one claimed contact its sequence, a step at a time, and classifying the result.

The engine calls the transport from a pool thread and never inside a transaction; a
message's steps come from `Transport.send_steps`, which may ask for a pause (a typing
indicator) that the engine waits out without holding a thread.
"""

import logging
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from campaigns.models import (
    Campaign,
    CampaignMessage,
    CampaignStatus,
    ContactStatus,
    MessageType,
    SkipReason,
)
from campaigns.rendering import Recipient, render, render_seed
from campaigns.templates import template_body, template_outbound
from channels.transports import OutboundMessage, SendResult, Transport, TransportError
from channels.transports.error_codes import Action

from . import config
from .claims import Claim

logger = logging.getLogger("skylight.engine")

UNKNOWN_PREFIX = "outcome unknown: "
SENT, FAILED = "sent", "failed"
DEFER_SECONDS = 24 * 3600  # a contact Meta held back (131049) is tried again a day later
# Actions that concern one person: the number goes on at its own pace.
PERSONAL_ACTIONS = (Action.SPACE_RECIPIENT, Action.DEFER_CONTACT)


@dataclass(slots=True)
class DeliveryRow:
    """One rendered message of a sequence and what became of it (a `Delivery` to write)."""

    campaign_contact_id: int
    position: int
    type: str
    body: str
    caption: str
    status: str = "queued"
    provider_message_id: str = ""
    error: str = ""
    sent_at: datetime | None = None


@dataclass
class Outcome:
    """What happened to one claim; written back by the recorder."""

    claim: Claim
    status: str  # sent, failed, skipped, or pending (a transient error: retried later)
    error: str = ""
    next_attempt_at: datetime | None = None
    provider_message_id: str = ""
    deliveries: list[DeliveryRow] = field(default_factory=list)
    opt_out: bool = False
    finished_at: datetime | None = None
    rest_seconds: float = 0.0  # how long the number must rest (a provider's Retry-After)
    next_step_at: datetime | None = None  # a follow-up is due then (the contact waits)
    # False: failed before anything of this claim was sent (a closed 24-hour window,
    # window24.py): its daily slot was given back and the number need not rest.
    attempted: bool = True
    skip_reason: str = ""  # with status skipped (e.g. unreachable)
    error_kind: str = ""  # the TransportError kind of a failed attempt (the breaker counts it)
    pause_number: str = ""  # the provider stopped the number: why (a safety pause follows)

    @property
    def retried(self) -> bool:
        """Back to pending without reaching the end of a step (a transient error, a pause)."""
        return self.status == ContactStatus.PENDING and self.next_step_at is None

    @property
    def accepted_any(self) -> bool:
        """A message of this claim was accepted: the contact was reached today."""
        return any(delivery.sent_at is not None for delivery in self.deliveries)

    @property
    def returns_slot(self) -> bool:
        """The daily slot goes back only if this claim took it and reached nobody."""
        return (
            self.status == ContactStatus.PENDING and self.claim.took_slot and not self.accepted_any
        )

    @property
    def reached(self) -> bool:
        """The contact got this claim's messages: the sequence ended or waits for a follow-up."""
        return self.status == ContactStatus.SENT or self.next_step_at is not None


@dataclass(slots=True)
class StepResult:
    """What one transport step gave: a pause to wait, a result, or an error."""

    wait: float | None = None
    result: SendResult | None = None
    error: TransportError | None = None
    crash: str = ""  # repr of an unexpected exception


def run_step(steps: Generator) -> StepResult:
    """Runs a message's next transport step (in a pool thread: no database here)."""
    try:
        return StepResult(wait=max(float(next(steps)), 0.0))
    except StopIteration as stop:
        return StepResult(result=stop.value)
    except TransportError as exc:
        return StepResult(error=exc)
    except Exception as exc:  # a bug or bad config: we cannot tell whether it left
        logger.exception("unexpected transport error")
        error = TransportError(TransportError.UNKNOWN, f"unexpected error: {exc!r}")
        return StepResult(error=error, crash=repr(exc))


@dataclass
class Sender:
    """Sends sequences for one campaign through one transport."""

    campaign_id: int
    transport: Transport
    messages: list[CampaignMessage]
    clock: datetime | None = None  # a fixed clock for simulations; None reads the real one

    def now(self) -> datetime:
        return self.clock or datetime.now(UTC)  # timezone.now(), without a settings read

    def begin(self, claim: Claim, skip_positions: frozenset[int] = frozenset()) -> "Sequence":
        return Sequence(self, claim, skip_positions)

    def still_running(self) -> bool:
        """A pause committed mid-sequence stops the next message from leaving."""
        return Campaign.objects.filter(pk=self.campaign_id, status=CampaignStatus.RUNNING).exists()

    def render(self, message: CampaignMessage, recipient: Recipient, claim: Claim) -> DeliveryRow:
        seed = render_seed(self.campaign_id, claim.contact_id, message.position)
        is_text = message.type == MessageType.TEXT
        if message.type == MessageType.TEMPLATE:
            return DeliveryRow(
                campaign_contact_id=claim.id,
                position=message.position,
                type=message.type,
                body=template_body(message, recipient, seed),
                caption="",
            )
        return DeliveryRow(
            campaign_contact_id=claim.id,
            position=message.position,
            type=message.type,
            body=render(message.content, recipient, seed) if is_text else message.content,
            caption=render(message.caption, recipient, seed + ":caption")
            if message.caption
            else "",
        )


class Sequence:
    """One claimed contact's messages not yet accepted, sent in order, one step at a time."""

    def __init__(self, sender: Sender, claim: Claim, skip_positions: frozenset[int]):
        self.sender = sender
        self.claim = claim
        self.todo = deque(m for m in sender.messages if m.position not in skip_positions)
        self.deliveries: list[DeliveryRow] = []
        self.recipient = Recipient(name=claim.name, phone=claim.phone, attributes=claim.attributes)
        self.steps: Generator | None = None
        self.resume = False  # the transport asked for a pause inside the current message

    @property
    def started(self) -> bool:
        return bool(self.deliveries)

    def next_steps(self) -> Generator:
        """The transport steps of the next message, its delivery row rendered."""
        message = self.todo.popleft()
        delivery = self.sender.render(message, self.recipient, self.claim)
        self.deliveries.append(delivery)
        outbound = self._outbound(message, delivery)
        self.steps = self.sender.transport.send_steps(self.claim.address, outbound)
        return self.steps

    @staticmethod
    def _outbound(message: CampaignMessage, delivery) -> OutboundMessage:
        if message.type == MessageType.TEMPLATE:
            return template_outbound(delivery.body)
        return OutboundMessage(
            type=message.type,
            content=delivery.body,
            caption=delivery.caption,
            filename=message.filename,
        )

    def accepted(self, result: SendResult) -> None:
        delivery = self.deliveries[-1]
        delivery.status = SENT
        delivery.provider_message_id = result.provider_message_id[:128]
        delivery.sent_at = self.sender.now()

    @property
    def waits_for_followup(self) -> bool:
        """The next message is a follow-up (delay_hours): this claim's step is over."""
        return bool(self.deliveries) and bool(self.todo) and self.todo[0].delay_hours > 0

    def step_done(self) -> Outcome:
        """This step of the sequence was accepted; the contact waits for the follow-up,
        due `delay_hours` after the last message was accepted (the cycle keeps it inside
        the send window)."""
        accepted_at = self.deliveries[-1].sent_at or self.sender.now()
        due = accepted_at + timedelta(hours=self.todo[0].delay_hours)
        logger.info(
            "campaign=%s contact=%s sent messages=%s; follow-up due %s",
            self.sender.campaign_id,
            self.claim.contact_id,
            len(self.deliveries),
            due.isoformat(),
        )
        return Outcome(
            claim=self.claim,
            status=ContactStatus.PENDING,
            provider_message_id=self.deliveries[-1].provider_message_id,
            deliveries=self.deliveries,
            finished_at=self.sender.now(),
            next_attempt_at=due,
            next_step_at=due,
        )

    def done(self) -> Outcome:
        last_id = self.deliveries[-1].provider_message_id if self.deliveries else ""
        logger.info(
            "campaign=%s contact=%s sent messages=%s provider_id=%s",
            self.sender.campaign_id,
            self.claim.contact_id,
            len(self.deliveries),
            last_id,
        )
        return Outcome(
            claim=self.claim,
            status=ContactStatus.SENT,
            provider_message_id=last_id,
            deliveries=self.deliveries,
            finished_at=self.sender.now(),
        )

    def paused(self) -> Outcome:
        count = len(self.deliveries)
        logger.info(
            "campaign=%s contact=%s paused after %s messages; the rest follows on resume",
            self.sender.campaign_id,
            self.claim.contact_id,
            count,
        )
        return Outcome(
            claim=self.claim,
            status=ContactStatus.PENDING,
            error=f"paused after {count} message(s); the rest follows on resume",
            deliveries=self.deliveries,
            finished_at=self.sender.now(),
        )

    def failed(self, step: StepResult) -> Outcome:
        exc = step.error
        delivery = self.deliveries[-1]
        delivery.status, delivery.error = FAILED, (step.crash or exc.message)[:2000]
        return failure(self.sender, self.claim, exc, self.deliveries)


def failure(sender: Sender, claim: Claim, exc: TransportError, deliveries) -> Outcome:
    """The outcome of a failed send, from the error's kind and its error-code action."""
    now = sender.now()
    outcome = Outcome(
        claim=claim, status=ContactStatus.FAILED, deliveries=deliveries, finished_at=now
    )
    action = getattr(exc, "action", "") or ""
    outcome.opt_out = bool(getattr(exc, "opt_out", False))
    outcome.error_kind = exc.kind
    transient = exc.kind == TransportError.TRANSIENT
    if transient and action not in PERSONAL_ACTIONS:
        outcome.rest_seconds = float(exc.retry_after or 0)  # the number slows down, not others
    if action == Action.PAUSE_NUMBER:
        outcome.pause_number = exc.message
    reached = any(delivery.status == SENT for delivery in deliveries)
    if action == Action.UNREACHABLE and not reached:  # else it fails: something did arrive
        outcome.status, outcome.skip_reason = ContactStatus.SKIPPED, SkipReason.UNREACHABLE
        outcome.error = f"unreachable, never retried: {exc.message}"
    elif action == Action.UNREACHABLE:
        outcome.error = f"rejected as unreachable after an earlier message: {exc.message}"
    elif transient and claim.attempts < config.max_attempts():
        outcome.status = ContactStatus.PENDING
        outcome.next_attempt_at = now + timedelta(seconds=retry_delay(claim.attempts, exc))
        outcome.error = f"attempt {claim.attempts} not accepted, will retry: {exc.message}"
    elif transient:
        outcome.error = f"not accepted after {claim.attempts} attempts: {exc.message}"
    elif exc.kind == TransportError.PERMANENT:
        outcome.error = f"rejected: {exc.message}"
    else:
        outcome.error = f"{UNKNOWN_PREFIX}{exc.message}"
    logger.warning(
        "campaign=%s contact=%s attempt=%s %s error kind=%s action=%s: %s",
        sender.campaign_id,
        claim.contact_id,
        claim.attempts,
        outcome.status,
        exc.kind,
        action or "-",
        exc.message,
    )
    return outcome


def retry_delay(attempts: int, exc: TransportError) -> float:
    """Backoff after attempt number `attempts`, never sooner than the provider's Retry-After;
    a day for a contact Meta held back (131049: its slot goes back meanwhile)."""
    if getattr(exc, "action", "") == Action.DEFER_CONTACT:
        return float(DEFER_SECONDS)
    backoff = config.retry_backoff_seconds() * 4 ** max(attempts - 1, 0)
    return max(backoff, float(exc.retry_after or 0))
