"""Campaign events are written with their change (a rollback leaves none). The cycle's
automatic start of a scheduled campaign is audited as "system" and emits
`campaign.started`; safety pauses emit `campaign.paused` with who paused and why."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import (
    campaign_cancel,
    campaign_update,
    campaigns_pause_for_safety,
    campaigns_start_scheduled,
)
from channels.event_hooks.services import webhook_endpoint_create
from skylight.models import AuditEvent, WebhookEvent
from tests.factories import make_campaign


def test_a_scheduled_start_is_audited_as_the_system_and_emits_an_event(alice):
    webhook_endpoint_create(account=alice, url="https://example.com/h", events=["campaign.started"])
    campaign = make_campaign(alice)
    campaign_update(campaign=campaign, scheduled_start_at=timezone.now() + timedelta(hours=1))

    started = campaigns_start_scheduled(now=timezone.now() + timedelta(hours=2))

    assert started == 1
    audit = AuditEvent.objects.get(action="campaign.started")
    assert (audit.actor_type, audit.actor, audit.object_id) == (
        "system",
        "system",
        str(campaign.pk),
    )
    assert audit.changes["scheduled"] is True
    event = WebhookEvent.objects.get()
    assert (event.type, event.data["campaign_id"], event.data["status"]) == (
        "campaign.started",
        campaign.pk,
        "running",
    )
    assert campaigns_start_scheduled(now=timezone.now() + timedelta(hours=3)) == 0
    assert AuditEvent.objects.filter(action="campaign.started").count() == 1


def test_a_safety_pause_carries_who_paused_and_why(alice):
    webhook_endpoint_create(account=alice, url="https://example.com/h", events=["campaign.paused"])
    campaign = make_campaign(alice)
    Campaign.objects.filter(pk=campaign.pk).update(status="running")

    campaigns_pause_for_safety(
        reason="12 of 40 sends failed in 10 minutes", campaign_ids=[campaign.pk]
    )

    data = WebhookEvent.objects.get(type="campaign.paused").data
    assert data["paused_by"] == "safety"
    assert data["pause_reason"] == "12 of 40 sends failed in 10 minutes"


def test_a_change_rolled_back_leaves_no_event(alice):
    webhook_endpoint_create(
        account=alice, url="https://example.com/h", events=["campaign.cancelled"]
    )
    campaign = make_campaign(alice)

    with pytest.raises(RuntimeError), transaction.atomic():
        campaign_cancel(campaign=campaign)
        raise RuntimeError("the request failed after the change")

    assert Campaign.objects.get(pk=campaign.pk).status == "draft"
    assert not WebhookEvent.objects.exists()
    campaign_cancel(campaign=campaign)
    assert WebhookEvent.objects.get().type == "campaign.cancelled"
