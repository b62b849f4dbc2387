"""The hand-written campaign and contact-row representations equal DRF's generic output."""

from datetime import time, timedelta

from django.utils import timezone
from rest_framework import serializers

from campaigns.models import Campaign, CampaignContact
from campaigns.selectors import campaign_contact_rows, campaign_queryset
from campaigns.serializers import CampaignContactSerializer, CampaignSerializer


def generic(serializer):
    """What the declared fields produce (the parent class's to_representation)."""
    return serializers.ModelSerializer.to_representation(serializer, serializer.instance)


def test_a_campaign_in_every_state_reads_as_the_declared_fields_would(create_campaign, alice):
    created = create_campaign(
        messages=[
            {"type": "text", "content": "Hi ünïcode ✓"},
            {"type": "document", "content": "https://x.test/a.pdf", "filename": "a.pdf"},
        ],
        send_window={"start": "09:00", "end": "17:30"},
    )
    campaign = Campaign.objects.get(pk=created["id"])
    now = timezone.now()
    states = [
        {},
        {"status": "running", "started_at": now, "campaign_day": 2, "today_date": now.date()},
        {"status": "completed", "completed_at": now + timedelta(days=3), "sent_count": 4},
        {"status": "paused", "send_window_start": None, "send_window_end": None},
        {"status": "cancelled", "send_window_start": time(8), "enrollment": {}},
    ]
    for changes in states:
        Campaign.objects.filter(pk=campaign.pk).update(**changes)
        fresh = campaign_queryset(account=alice).get(pk=campaign.pk)
        serializer = CampaignSerializer(fresh, context={"now": now})
        assert serializer.data == generic(serializer)
        assert list(serializer.data) == list(generic(serializer))


def test_contact_rows_read_as_the_declared_fields_would(create_campaign, alice):
    campaign = Campaign.objects.get(pk=create_campaign()["id"])
    rows = CampaignContact.objects.filter(campaign=campaign).order_by("id")
    rows.filter(pk=rows[0].pk).update(status="sending")
    rows.filter(pk=rows[1].pk).update(status="failed", error="Bad number", sent_at=timezone.now())
    rows.filter(pk=rows[2].pk).update(status="sent", sent_at=timezone.now())
    for row in campaign_contact_rows(campaign=campaign, params={}):
        serializer = CampaignContactSerializer(row)
        assert serializer.data == generic(serializer)
        assert list(serializer.data) == list(generic(serializer))
