"""Replies: an inbound message from an enrolled contact ends their sequence.

Any inbound message on a campaign's channel that is not an opt-out or opt-in keyword is
a reply from the contacts at that address. Each of their campaign rows on that channel
(running or paused campaigns) gets `replied_at` once, and the campaign's
`replied_count` goes up. With `stop_on_reply` (the default) a contact still pending is
skipped with `skip_reason: "replied"`.

Race-free against the send engine: the skip takes the campaign row first, as a claim
does, and moves only rows still `pending`. A claim committed before the reply may
finish its send; none can start after (docs/architecture.md, "The life of a webhook").
"""

import logging
from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.engine.days import complete_if_done
from campaigns.models import Campaign, CampaignContact, CampaignStatus, ContactStatus, SkipReason
from campaigns.webhook_events import replies_emit
from channels.keywords import keyword_action
from channels.webhooks.apply import contacts_at_address
from channels.webhooks.events import InboundEvent

logger = logging.getLogger("skylight.replies")

LISTENING = (CampaignStatus.RUNNING, CampaignStatus.PAUSED)


def replies_record(*, channel, events) -> int:
    """Records the replies among a webhook's events; returns campaign rows marked."""
    marked = 0
    for event in events:
        if isinstance(event, InboundEvent) and keyword_action(event.text) is None:
            marked += reply_record(channel=channel, address=event.sender)
    return marked


def reply_record(*, channel, address: str, at=None) -> int:
    """Marks the replies of whoever is at `address` in this channel's campaigns."""
    at = at or timezone.now()
    contacts = contacts_at_address(channel=channel, address=address)
    rows = CampaignContact.objects.filter(
        campaign__channel=channel,
        campaign__status__in=LISTENING,
        contact__in=contacts,
        replied_at__isnull=True,
    )
    with transaction.atomic():
        marked = list(rows.values_list("pk", "campaign_id"))
        if not marked:
            return 0
        CampaignContact.objects.filter(pk__in=[pk for pk, _ in marked]).update(replied_at=at)
        for campaign_id, count in sorted(Counter(c for _, c in marked).items()):
            Campaign.objects.filter(pk=campaign_id).update(replied_count=F("replied_count") + count)
        replies_emit(channel.account_id, [pk for pk, _ in marked], at)
    for campaign_id in sorted({campaign_id for _, campaign_id in marked}):
        _stop_sequence(campaign_id, [pk for pk, c in marked if c == campaign_id], at)
    logger.info("reply channel=%s address=%s rows=%s", channel.pk, address, len(marked))
    return len(marked)


def _stop_sequence(campaign_id: int, row_ids: list[int], at) -> None:
    """With stop_on_reply, the replied rows still pending get nothing more (campaign locked
    first): a contact who already got a step ends as sent, one who got nothing is skipped."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or not campaign.stop_on_reply:
            return
        pending = CampaignContact.objects.filter(pk__in=row_ids, status=ContactStatus.PENDING)
        ended = pending.filter(sent_at__isnull=False).update(
            status=ContactStatus.SENT, next_step_at=None, next_attempt_at=None, error=None
        )
        skipped = pending.filter(sent_at__isnull=True).update(
            status=ContactStatus.SKIPPED,
            skip_reason=SkipReason.REPLIED,
            error="The contact replied; the rest of the sequence is not sent.",
        )
        if skipped or ended:
            Campaign.objects.filter(pk=campaign_id).update(
                pending_count=F("pending_count") - skipped - ended,
                skipped_count=F("skipped_count") + skipped,
                sent_count=F("sent_count") + ended,
            )
            complete_if_done(campaign_id, at)
