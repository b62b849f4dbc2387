"""The 24-hour window at send time: a free-form step to a contact whose window closed is
not attempted.

On providers with a free-form window (WhatsApp Cloud API: `channels.window`), Meta
refuses free-form messages more than 24 hours after the person's last message (131047).
Before a claimed contact's next free-form message leaves, the lane asks `WindowGate`; a
closed window fails the contact with "needs an approved template (24-hour window
closed)" and, when nothing of that claim was sent, gives its daily slot back at once
(campaign row, then channel day, as a claim locks them) and brings the campaign's next
look forward, so another contact can use the slot. Templates always go.

Hooked in at one place: `lane.Lane._next_message()`, called where the lane is about to
run a sequence's next message (claims.py, planning.py and recording are untouched;
`sending.Outcome` gained `attempted`, which only tells the lane to skip its gap).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F

from campaigns.models import Campaign, ChannelDay, ContactStatus, MessageType
from channels.window import WINDOW_CLOSED_ERROR, window_hours, window_open

from .claims import Slot
from .sending import Outcome, Sequence


class WindowGate:
    """Asks, per message, whether a free-form message may go to the claimed contact."""

    def __init__(self, channel):
        self.channel = channel
        self.active = window_hours(channel) is not None

    def refusal(self, sequence: Sequence, slot: Slot, now: datetime) -> Outcome | None:
        """The failed outcome when the sequence's next message is free-form and the
        contact's window is closed; None when it may go."""
        if not self.active or not sequence.todo:
            return None
        if sequence.todo[0].type == MessageType.TEMPLATE:
            return None
        claim = sequence.claim
        if window_open(channel=self.channel, contact_id=claim.contact_id, now=now):
            return None
        if not sequence.started and claim.took_slot:  # a follow-up's person was counted before
            slot_give_back(slot, now)
        return Outcome(
            claim=claim,
            status=ContactStatus.FAILED,
            error=WINDOW_CLOSED_ERROR,
            deliveries=sequence.deliveries,
            finished_at=now,
            attempted=sequence.started,
        )


def slot_give_back(slot: Slot, now: datetime) -> None:
    """The claim's daily slot goes back to its campaign day and channel day, and the
    campaign is looked at again now (the slot can go to someone else)."""
    with transaction.atomic():
        Campaign.objects.filter(pk=slot.campaign_id, today_date=slot.day).update(
            today_attempted=F("today_attempted") - 1
        )
        Campaign.objects.filter(pk=slot.campaign_id, next_send_at__gt=now).update(next_send_at=now)
        ChannelDay.objects.filter(pk=slot.channel_day_id).update(attempted=F("attempted") - 1)
