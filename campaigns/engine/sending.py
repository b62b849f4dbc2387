"""Sending one claimed contact its sequence, outside any transaction, and classifying the result."""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignMessage,
    CampaignStatus,
    ContactStatus,
    Delivery,
    MessageType,
)
from campaigns.rendering import Recipient, render, render_seed
from campaigns.templates import template_body, template_outbound
from channels.transports import OutboundMessage, Transport, TransportError

from . import config
from .claims import Claim

logger = logging.getLogger("skylight.engine")

UNKNOWN_PREFIX = "outcome unknown: "


@dataclass
class Outcome:
    """What happened to one claim; written back by the recorder."""

    claim: Claim
    status: str  # sent, failed, or pending (a transient error: retried later)
    error: str = ""
    next_attempt_at: datetime | None = None
    provider_message_id: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    opt_out: bool = False
    finished_at: datetime | None = None

    @property
    def retried(self) -> bool:
        return self.status == ContactStatus.PENDING


@dataclass
class Sender:
    """Sends sequences for one campaign through one transport."""

    campaign_id: int
    transport: Transport
    messages: list[CampaignMessage]
    clock: datetime | None = None  # a fixed clock for simulations; None reads the real one

    def now(self) -> datetime:
        return self.clock or timezone.now()

    def deliver(self, claim: Claim, skip_positions: frozenset[int] = frozenset()) -> Outcome:
        """Sends the messages not yet accepted, in order, a few seconds apart."""
        recipient = Recipient(name=claim.name, phone=claim.phone, attributes=claim.attributes)
        deliveries: list[Delivery] = []
        gap = config.sequence_gap_seconds()
        for message in self.messages:
            if message.position in skip_positions:
                continue
            if deliveries:
                if gap:
                    time.sleep(gap)
                if not self._still_running():
                    return self._paused(claim, deliveries)
            delivery = self._render(message, recipient, claim)
            deliveries.append(delivery)
            try:
                result = self.transport.send(claim.address, self._outbound(message, delivery))
            except TransportError as exc:
                delivery.status, delivery.error = Delivery.Status.FAILED, exc.message[:2000]
                return self._failure(claim, exc, deliveries)
            except Exception as exc:  # a bug or bad config: we cannot tell whether it left
                logger.exception(
                    "campaign=%s contact=%s unexpected transport error",
                    self.campaign_id,
                    claim.contact_id,
                )
                delivery.status, delivery.error = Delivery.Status.FAILED, repr(exc)[:2000]
                error = TransportError(TransportError.UNKNOWN, f"unexpected error: {exc!r}")
                return self._failure(claim, error, deliveries)
            delivery.status = Delivery.Status.SENT
            delivery.provider_message_id = result.provider_message_id[:128]
            delivery.sent_at = self.now()
        last_id = deliveries[-1].provider_message_id if deliveries else ""
        logger.info(
            "campaign=%s contact=%s sent messages=%s provider_id=%s",
            self.campaign_id,
            claim.contact_id,
            len(deliveries),
            last_id,
        )
        return Outcome(
            claim=claim,
            status=ContactStatus.SENT,
            provider_message_id=last_id,
            deliveries=deliveries,
            finished_at=self.now(),
        )

    def _still_running(self) -> bool:
        """A pause committed mid-sequence stops the next message from leaving."""
        return Campaign.objects.filter(pk=self.campaign_id, status=CampaignStatus.RUNNING).exists()

    def _paused(self, claim: Claim, deliveries: list[Delivery]) -> Outcome:
        logger.info(
            "campaign=%s contact=%s paused after %s messages; the rest follows on resume",
            self.campaign_id,
            claim.contact_id,
            len(deliveries),
        )
        return Outcome(
            claim=claim,
            status=ContactStatus.PENDING,
            error=f"paused after {len(deliveries)} message(s); the rest follows on resume",
            deliveries=deliveries,
            finished_at=self.now(),
        )

    def _render(self, message: CampaignMessage, recipient: Recipient, claim: Claim) -> Delivery:
        seed = render_seed(self.campaign_id, claim.contact_id, message.position)
        is_text = message.type == MessageType.TEXT
        if message.type == MessageType.TEMPLATE:
            return Delivery(
                campaign_contact_id=claim.id,
                position=message.position,
                type=message.type,
                body=template_body(message, recipient, seed),
            )
        return Delivery(
            campaign_contact_id=claim.id,
            position=message.position,
            type=message.type,
            body=render(message.content, recipient, seed) if is_text else message.content,
            caption=render(message.caption, recipient, seed + ":caption"),
        )

    @staticmethod
    def _outbound(message: CampaignMessage, delivery: Delivery) -> OutboundMessage:
        if message.type == MessageType.TEMPLATE:
            return template_outbound(delivery.body)
        return OutboundMessage(
            type=message.type,
            content=delivery.body,
            caption=delivery.caption,
            filename=message.filename,
        )

    def _failure(self, claim: Claim, exc: TransportError, deliveries: list[Delivery]) -> Outcome:
        now = self.now()
        outcome = Outcome(
            claim=claim, status=ContactStatus.FAILED, deliveries=deliveries, finished_at=now
        )
        outcome.opt_out = bool(getattr(exc, "opt_out", False))
        if exc.kind == TransportError.TRANSIENT and claim.attempts < config.max_attempts():
            outcome.status = ContactStatus.PENDING
            outcome.next_attempt_at = now + timedelta(seconds=retry_delay(claim.attempts, exc))
            outcome.error = f"attempt {claim.attempts} not accepted, will retry: {exc.message}"
        elif exc.kind == TransportError.TRANSIENT:
            outcome.error = f"not accepted after {claim.attempts} attempts: {exc.message}"
        elif exc.kind == TransportError.PERMANENT:
            outcome.error = f"rejected: {exc.message}"
        else:
            outcome.error = f"{UNKNOWN_PREFIX}{exc.message}"
        logger.warning(
            "campaign=%s contact=%s attempt=%s %s error kind=%s: %s",
            self.campaign_id,
            claim.contact_id,
            claim.attempts,
            outcome.status,
            exc.kind,
            exc.message,
        )
        return outcome


def retry_delay(attempts: int, exc: TransportError) -> float:
    """Backoff after attempt number `attempts`, never sooner than the provider's Retry-After."""
    backoff = config.retry_backoff_seconds() * 4 ** max(attempts - 1, 0)
    return max(backoff, float(exc.retry_after or 0))
