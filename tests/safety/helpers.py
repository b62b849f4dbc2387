"""Sender-safety test helpers."""

from collections import defaultdict

from campaigns.models import Delivery


def people_by_day(campaign) -> dict:
    """Date (UTC) -> the contacts who had a message of the campaign accepted that day."""
    reached = defaultdict(set)
    rows = Delivery.objects.filter(
        campaign_contact__campaign=campaign, sent_at__isnull=False
    ).values_list("sent_at", "campaign_contact__contact_id")
    for sent_at, contact_id in rows:
        reached[sent_at.date()].add(contact_id)
    return dict(reached)
