"""Replies: an inbound message ends the contact's sequence (with stop_on_reply)."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from campaigns.models import Campaign, CampaignContact
from channels.webhooks.apply import events_apply
from channels.webhooks.events import InboundEvent
from tests.engine.helpers import cycle, start_campaign
from tests.factories import make_channel, make_contacts

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def reply(channel, phone, text="Thanks, tell me more"):
    return events_apply(channel=channel, events=[InboundEvent(sender=phone, text=text)])


def test_a_pending_contact_who_writes_first_is_skipped_as_replied(alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 3)
    campaign = start_campaign(alice, contacts=people, at=NOW, channel=channel)
    counts = reply(channel, people[0].phone)
    assert counts["replies"] == 1
    row = CampaignContact.objects.get(campaign=campaign, contact=people[0])
    assert row.status == "skipped" and row.skip_reason == "replied" and row.replied_at
    campaign.refresh_from_db()
    assert campaign.replied_count == 1
    assert (campaign.pending_count, campaign.skipped_count) == (2, 1)
    cycle(NOW)
    row.refresh_from_db()
    assert row.status == "skipped"  # never claimed after the reply


def test_without_stop_on_reply_the_reply_is_only_recorded(alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 2)
    campaign = start_campaign(alice, contacts=people, at=NOW, channel=channel, stop_on_reply=False)
    reply(channel, people[0].phone)
    row = CampaignContact.objects.get(campaign=campaign, contact=people[0])
    assert row.status == "pending" and row.replied_at is not None
    assert Campaign.objects.get(pk=campaign.pk).replied_count == 1


def test_keywords_are_not_replies_and_a_second_message_counts_once(alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 2)
    campaign = start_campaign(alice, contacts=people, at=NOW, channel=channel)
    assert reply(channel, people[0].phone, "STOP")["replies"] == 0
    reply(channel, people[1].phone)
    reply(channel, people[1].phone, "and another thing")
    assert Campaign.objects.get(pk=campaign.pk).replied_count == 1


def test_a_reply_on_another_channel_changes_nothing(alice):
    channel, other = make_channel(alice), make_channel(alice, name="Other number")
    people = make_contacts(alice, 1)
    campaign = start_campaign(alice, contacts=people, at=NOW, channel=channel)
    assert reply(other, people[0].phone)["replies"] == 0
    assert CampaignContact.objects.get(campaign=campaign).replied_at is None


def test_the_contacts_listing_shows_replies_and_skip_reasons(api, alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 2)
    campaign = start_campaign(alice, contacts=people, at=NOW, channel=channel)
    reply(channel, people[0].phone)
    rows = api.get(f"/api/v1/campaigns/{campaign.pk}/contacts").json()["data"]
    by_contact = {row["contact"]["id"]: row for row in rows}
    assert by_contact[people[0].pk]["skip_reason"] == "replied"
    assert by_contact[people[0].pk]["replied_at"].endswith("Z")
    assert by_contact[people[1].pk]["skip_reason"] is None
    data = api.get(f"/api/v1/campaigns/{campaign.pk}").json()["data"]
    assert data["replied_count"] == 1 and data["stop_on_reply"] is True


def test_stop_on_reply_is_writable_while_draft(api, alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 1)
    body = {
        "name": "Replies",
        "channel_id": channel.pk,
        "messages": [{"type": "text", "content": "Hi"}],
        "contact_ids": [people[0].pk],
        "stop_on_reply": False,
    }
    created = api.post("/api/v1/campaigns", body, format="json").json()["data"]
    assert created["stop_on_reply"] is False
    patched = api.patch(
        f"/api/v1/campaigns/{created['id']}", {"stop_on_reply": True}, format="json"
    )
    assert patched.json()["data"]["stop_on_reply"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_racing_the_engine_never_lets_a_claim_start_after_it(alice):
    """Replies and cycles at once: every contact is either sent (claimed before its reply
    committed) or skipped as replied, never both, and the counters reconcile."""
    channel = make_channel(alice)
    people = make_contacts(alice, 30)
    campaign = start_campaign(alice, contacts=people, at=NOW, channel=channel)
    errors = []

    def replies():
        try:
            for person in people:
                reply(channel, person.phone)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def cycles():
        try:
            for _ in range(5):
                cycle(NOW)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=replies), threading.Thread(target=cycles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = list(CampaignContact.objects.filter(campaign=campaign))
    assert all(row.replied_at for row in rows)
    assert all(row.status in ("sent", "skipped") or row.status == "pending" for row in rows)
    skipped = [row for row in rows if row.status == "skipped"]
    assert all(row.skip_reason == "replied" and not row.sent_at for row in skipped)
    campaign.refresh_from_db()
    assert campaign.replied_count == 30
    assert campaign.skipped_count == len(skipped)
    assert campaign.sent_count == sum(row.status == "sent" for row in rows)
