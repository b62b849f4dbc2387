"""How campaigns hears about changes in the apps below it.

contacts and channels never import campaigns; they announce through their signals
and campaigns answers here (docs/architecture.md, "Layers"):

- a provider webhook's status events move the deliveries campaigns owns forward, and
  its inbound messages are replies that may end a contact's sequence;
- a message template Meta paused, disabled or rejected pauses (by safety) the running
  campaigns that send it;
- a channel about to be deleted or to change type is refused while campaigns use it;
- contacts about to be deleted leave their campaigns, with counters kept exact;
- a number that must stop (breaker tripped, provider flagged or logged it out) has every
  running campaign on it paused by safety, with the reason.
"""

from django.dispatch import receiver

from campaigns.models import Campaign, CampaignStatus
from campaigns.replies import replies_record
from campaigns.services import campaign_contacts_forget, campaigns_pause_for_safety
from campaigns.status_batches import deliveries_apply_statuses
from campaigns.template_status import campaigns_pause_for_template
from channels.signals import (
    channel_change_requested,
    channel_safety_paused,
    provider_events_received,
    template_status_changed,
)
from contacts.signals import contacts_deleting

ACTIVE_STATUSES = (CampaignStatus.RUNNING, CampaignStatus.PAUSED)


@receiver(provider_events_received, dispatch_uid="campaigns.apply_statuses")
def apply_statuses(sender, *, channel, events, **kwargs) -> dict[str, int]:
    return {
        "statuses": deliveries_apply_statuses(channel=channel, events=events),
        "replies": replies_record(channel=channel, events=events),
    }


@receiver(template_status_changed, dispatch_uid="campaigns.pause_for_template")
def pause_for_template(sender, *, channel, name, language, status, reason, **kwargs):
    paused = campaigns_pause_for_template(
        channel=channel, name=name, language=language, status=status, reason=reason
    )
    return {"campaigns_paused": len(paused)}


@receiver(channel_change_requested, dispatch_uid="campaigns.refuse_channel_change")
def refuse_channel_change(sender, *, channel, change, **kwargs) -> str | None:
    """Why campaigns cannot let the channel be deleted or change type, or None."""
    campaigns = Campaign.objects.filter(channel=channel)
    if change == "change_type":
        if campaigns.exists():
            return (
                "The channel type cannot change while campaigns use the channel: their "
                f"contacts were enrolled as {channel.type} contacts."
            )
        return None
    active = list(campaigns.filter(status__in=ACTIVE_STATUSES).values_list("name", flat=True)[:5])
    if active:
        return (
            f"The channel is used by running or paused campaigns ({', '.join(active)}); "
            "cancel them before deleting the channel."
        )
    others = campaigns.count()
    if others:
        return (
            f"The channel is referenced by {others} draft, completed or cancelled "
            "campaign(s); delete them first, or set is_active to false instead."
        )
    return None


@receiver(contacts_deleting, dispatch_uid="campaigns.forget_contacts")
def forget_contacts(sender, *, contact_ids, **kwargs) -> None:
    campaign_contacts_forget(contact_ids=contact_ids)


@receiver(channel_safety_paused, dispatch_uid="campaigns.pause_for_safety")
def pause_for_safety(sender, *, channel_id, reason, **kwargs) -> None:
    campaigns_pause_for_safety(reason=reason, channel_id=channel_id)
