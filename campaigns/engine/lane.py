"""One lane: a campaign's planned contacts sent through its number, one after another.

A lane is a small state machine driven by the round (rounds.py): `advance()` does the
database work of the next step (take the number, claim, check for a pause) and says
what comes next: run a transport step, wait, or stop. `finished()` takes a step's
result and says how long the lane waits before it goes on. Nothing here sleeps.
"""

import logging
import random
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campaigns.models import Campaign, ChannelDay, ContactStatus, Delivery
from channels.availability import channel_transport
from skylight import metrics
from skylight.observability import log_context

from . import config
from .claims import (
    Claim,
    NothingReady,
    NumberResting,
    Slot,
    claim_contacts,
    skip_cooling_if_nothing_else,
)
from .lanes import release_number, take_number
from .recording import Recorder
from .round_recording import RoundRecorder
from .sending import Outcome, Sender, Sequence, StepResult
from .window24 import WindowGate

logger = logging.getLogger("skylight.engine")


@dataclass(frozen=True)
class Run:
    steps: object  # the generator of a message's transport steps


@dataclass(frozen=True)
class Wait:
    seconds: float


DONE = object()


@dataclass
class LaneResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0


class ClaimSizer:
    """How many contacts to claim at once: one, unless sending is nearly instant.

    Claims never cover more than `budget` seconds of sending, so a crash can strand at
    most that much work, and a pause stops sending within it (twice that when the
    previous claim's outcomes are still being written behind: round_recording.py).
    """

    def __init__(self, budget: float = 0.05, most: int = 1000):
        self.budget, self.most = budget, most
        self.per_contact: float | None = None

    def observe(self, seconds: float) -> None:
        if self.per_contact is None:
            self.per_contact = seconds
        else:
            self.per_contact = 0.8 * self.per_contact + 0.2 * seconds

    def size(self) -> int:
        if self.per_contact is None:
            return 1
        return max(1, min(self.most, int(self.budget / max(self.per_contact, 1e-6))))


class Lane:
    """Up to `size` contacts of one campaign, sent through its number in order."""

    def __init__(
        self,
        campaign: Campaign,
        size: int,
        clock: datetime | None,
        deadline: float,
        slot: Slot | None = None,
        messages: list | None = None,
        outcomes: RoundRecorder | None = None,
    ):
        from .batches import batch_slot

        self.campaign = campaign
        # Every line a lane writes names its account and campaign (docs/deploy.md, logs).
        self.log = log_context(account_id=campaign.account_id, campaign_id=campaign.pk)
        self.size = size
        self.clock = clock
        self.deadline = deadline
        self.result = LaneResult()
        self.closed = False
        self.wants_flush = False
        self.outcomes = outcomes if outcomes is not None else RoundRecorder()
        self.number_slot: int | None = None
        self.queue: deque[Claim] = deque()
        self.sequence: Sequence | None = None
        self.sequence_started = 0.0
        self.rest_until = 0.0  # monotonic: the number's next moment, as this lane knows it
        self.sizer = ClaimSizer()
        self.gap = config.contact_gap_seconds()
        self.slot = slot or batch_slot(campaign, self.now())
        if self.slot is None:
            self.closed = True
            return
        self.sender = Sender(
            campaign_id=campaign.pk,
            transport=channel_transport(campaign.channel),
            messages=messages if messages is not None else list(campaign.messages.all()),
            clock=clock,
        )
        self.inline = not getattr(self.sender.transport, "blocking", True)
        self.followups = any(message.delay_hours for message in self.sender.messages)
        self.window = WindowGate(campaign.channel)
        self.recorder = Recorder(
            campaign_id=campaign.pk,
            day=self.slot.day,
            channel_day_id=self.slot.channel_day_id,
            channel=campaign.channel,
        )

    def now(self) -> datetime:
        return self.clock or datetime.now(UTC)  # timezone.now(), without a settings read

    # -- the next step -------------------------------------------------------------

    def advance(self):
        with self.log:
            return self._advance()

    def _advance(self):
        if self.closed:
            return DONE
        if self.number_slot is None:
            self.number_slot = take_number(self.campaign.channel_id)
            if self.number_slot is None:
                return self._stop_or_wait(config.number_poll_seconds())
        if self.sequence is not None:
            return self._continue_sequence()
        if not self.queue and not self._claim():
            return self._next_wait
        claim = self.queue.popleft()
        self.sequence = self.sender.begin(claim, _already_sent(claim))
        self.sequence_started = time.monotonic()
        if not self.sequence.todo:  # every message was accepted on an earlier attempt
            return Wait(self._contact_done(self.sequence.done()))
        return self._next_message()

    def _continue_sequence(self):
        sequence = self.sequence
        if sequence.resume:
            sequence.resume = False
            return Run(sequence.steps)
        if not self.sender.still_running():
            return Wait(self._contact_done(sequence.paused()))
        return self._next_message()

    def _next_message(self):
        """Runs the sequence's next message, unless the 24-hour window forbids it."""
        refused = self.window.refusal(self.sequence, self.slot, self.now())
        if refused is not None:
            return Wait(self._contact_done(refused))
        return Run(self.sequence.next_steps())

    def _claim(self) -> bool:
        """Fills the queue; False (with `_next_wait` set) when the lane cannot go on now."""
        self._next_wait = DONE
        if self.result.claimed >= self.size:
            return self._stop()
        if time.monotonic() > self.deadline:
            _look_again_by(self.campaign.pk, self.now() + timedelta(seconds=config.cycle_seconds()))
            return self._stop()
        wanted = 1 if self.gap else min(self.sizer.size(), self.size - self.result.claimed)
        try:
            claims = claim_contacts(self.slot, self.now(), wanted, followups=self.followups)
        except NumberResting as rest:
            self._next_wait = self._rest_until(rest.until)
            return False
        except NothingReady as nothing:
            if not (
                self.slot.cooldown_days
                and skip_cooling_if_nothing_else(self.campaign.pk, self.now())
            ):
                _nothing_due_until(self.campaign.pk, nothing.until, self.now())
            return self._stop()
        if not claims:
            return self._stop()
        self.result.skipped += sum(claim.opted_out for claim in claims)
        self.queue.extend(claim for claim in claims if not claim.opted_out)
        self.result.claimed += len(self.queue)
        if not self.queue:
            self._next_wait = Wait(0)
            return False
        return True

    def _rest_until(self, until: datetime):
        """The number rests (another lane's gap, a Retry-After): wait if the clock moves
        and the moment comes before the deadline, else leave it to a later cycle."""
        seconds = (until - self.now()).total_seconds()
        if self.clock is None and time.monotonic() + seconds < self.deadline:
            return Wait(max(seconds, 0.01))
        _look_again_by(self.campaign.pk, until)
        self._stop()
        return DONE

    def _stop_or_wait(self, seconds: float):
        if time.monotonic() + seconds > self.deadline:
            _look_again_by(self.campaign.pk, self.now() + timedelta(seconds=config.cycle_seconds()))
            self.close()
            return DONE
        return Wait(seconds)

    def _stop(self) -> bool:
        self.close()
        self._next_wait = DONE
        return False

    # -- a step's result ------------------------------------------------------------

    def finished(self, step: StepResult) -> float:
        with self.log:
            apply_marks = getattr(self.sender.transport, "apply_marks", None)
            if apply_marks is not None:
                apply_marks()  # channel availability learned by the step (channels.availability)
            return self._finished(step)

    def _finished(self, step: StepResult) -> float:
        """Takes a transport step's result; returns the seconds to wait before going on."""
        sequence = self.sequence
        if step.wait is not None:
            sequence.resume = True  # e.g. typing shown: the message follows after the pause
            return step.wait
        if step.error is not None:
            return self._contact_done(sequence.failed(step))
        sequence.accepted(step.result)
        if sequence.waits_for_followup:
            return self._contact_done(sequence.step_done())
        if sequence.todo:
            return config.sequence_gap_seconds()
        return self._contact_done(sequence.done())

    def _contact_done(self, outcome: Outcome) -> float:
        self.sizer.observe(time.monotonic() - self.sequence_started)
        self.sequence = None
        self.outcomes.add(self.recorder, outcome)
        metrics.send_finished(self.sender.transport.provider, _outcome_name(outcome))
        self.wants_flush = not self.queue  # claimed one at a time: record it soon
        if outcome.reached:
            self.result.sent += 1
        elif outcome.retried:
            self.result.retried += 1
        elif outcome.status == ContactStatus.SKIPPED:
            self.result.skipped += 1  # unreachable
        else:
            self.result.failed += 1
        gap = self.gap if outcome.attempted else 0  # nothing left (window24.py): no gap
        rest = random.uniform(gap / 4, gap) if gap else 0.0
        rest = max(rest, outcome.rest_seconds)
        self.rest_until = time.monotonic() + rest
        if rest and time.monotonic() + rest > self.deadline:
            self.close()  # the next contact cannot go in this round; the next cycle plans it
        return rest

    # -- the end --------------------------------------------------------------------

    def close(self) -> None:
        with self.log:
            self._close()

    def _close(self) -> None:
        """Records what is buffered, tells the number when it may send again, lets it go."""
        if self.closed:
            return
        self.closed = True
        for claim in self.queue:  # claimed but not started: back to pending, slot returned
            self.outcomes.add(self.recorder, self._unsent(claim))
        self.queue.clear()
        if self.number_slot is None:
            return
        remaining = self.rest_until - time.monotonic()
        if remaining > 0:
            ready_at = self.now() + timedelta(seconds=remaining)
            ChannelDay.objects.filter(pk=self.slot.channel_day_id).update(ready_at=ready_at)
        release_number(self.campaign.channel_id, self.number_slot)
        self.number_slot = None
        logger.info(
            "campaign=%s batch done claimed=%s sent=%s failed=%s retried=%s skipped=%s",
            self.campaign.pk,
            self.result.claimed,
            self.result.sent,
            self.result.failed,
            self.result.retried,
            self.result.skipped,
        )

    def _unsent(self, claim: Claim) -> Outcome:
        self.result.retried += 1
        return Outcome(
            claim=claim,
            status=ContactStatus.PENDING,
            error="not sent yet: the number had to rest; it goes in a later cycle",
            next_attempt_at=self.now()
            + timedelta(seconds=max(self.rest_until - time.monotonic(), 0)),
            finished_at=self.now(),
        )


def _look_again_by(campaign_id: int, moment: datetime) -> None:
    """What the lane leaves undone is planned again by `moment`, not tomorrow."""
    Campaign.objects.filter(pk=campaign_id, next_send_at__gt=moment).update(next_send_at=moment)


def _nothing_due_until(campaign_id: int, until: datetime | None, now: datetime) -> None:
    """Nobody pending is due yet: the campaign is looked at again when the first is (a
    follow-up, a retry), and says so. A retry recorded later brings the look forward."""
    if until is None or until <= now:
        return  # rows another lane holds: the next cycle sees them
    Campaign.objects.filter(pk=campaign_id, status="running").update(
        next_send_at=until, waiting_reason="nothing_due"
    )


def _already_sent(claim: Claim) -> frozenset[int]:
    """Positions accepted on an earlier attempt: a retry resumes after them.

    Acceptance is `sent_at`, which only the engine sets and nothing clears: a provider's
    later "failed" for an accepted message must not make it leave a second time.
    """
    if claim.attempts <= 1 and not claim.resumed:
        return frozenset()
    return frozenset(
        Delivery.objects.filter(campaign_contact_id=claim.id, sent_at__isnull=False).values_list(
            "position", flat=True
        )
    )


def _outcome_name(outcome: Outcome) -> str:
    return "retried" if outcome.retried else str(outcome.status)
