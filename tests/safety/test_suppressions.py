"""The suppression list: never message an address on it, contact or not."""

import io
from datetime import UTC, datetime

import pytest

from campaigns.models import CampaignContact
from campaigns.services import campaign_create
from channels.webhooks.apply import events_apply
from channels.webhooks.events import BlockedEvent, InboundEvent
from contacts.importing import import_contacts_csv
from contacts.models import Contact, Suppression
from contacts.services import contact_create, contact_update
from contacts.suppressions import suppression_add
from skylight.domain import Invalid
from tests.engine.helpers import run_days, start_campaign
from tests.factories import make_channel, make_contact, make_contacts

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_the_api_adds_lists_and_deletes_suppressions(api, alice):
    created = api.post(
        "/api/v1/suppressions",
        {"address": "0096650 123 4567", "channel_type": "whatsapp", "reason": "Asked us"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert data["address"] == "+966501234567" and data["source"] == "api"
    again = api.post(
        "/api/v1/suppressions",
        {"address": "+966501234567", "channel_type": "whatsapp"},
        format="json",
    )
    assert again.status_code == 200 and again.json()["data"]["id"] == data["id"]
    listed = api.get("/api/v1/suppressions?channel_type=whatsapp").json()
    assert [row["id"] for row in listed["data"]] == [data["id"]] and listed["meta"]["total"] == 1
    assert api.delete(f"/api/v1/suppressions/{data['id']}").status_code == 204
    assert not Suppression.objects.exists()


def test_bad_suppressions_are_422_and_another_accounts_are_404(api, bob):
    bad = api.post(
        "/api/v1/suppressions",
        {"address": "not a phone", "channel_type": "whatsapp"},
        format="json",
    )
    assert bad.status_code == 422 and "address" in bad.json()["errors"]
    theirs, _ = suppression_add(
        account=bob, address="+966501234567", channel_type="whatsapp", source="api"
    )
    assert api.delete(f"/api/v1/suppressions/{theirs.pk}").status_code == 404
    assert api.get("/api/v1/suppressions").json()["meta"]["total"] == 0


def test_suppressing_opts_out_the_contacts_at_the_address(alice):
    contact = make_contact(alice, phone="+966501234567")
    suppression_add(account=alice, address="+966501234567", channel_type="whatsapp", source="api")
    contact.refresh_from_db()
    assert contact.opted_out
    with pytest.raises(Invalid) as refused:
        contact_update(contact=contact, opted_out=False)
    assert "suppression list" in refused.value.errors["opted_out"][0]


def test_a_suppressed_address_is_excluded_at_enrollment_and_counted(alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 3)
    suppression_add(account=alice, address=people[0].phone, channel_type="whatsapp", source="api")
    campaign = campaign_create(
        account=alice,
        name="x",
        channel=channel,
        messages=[{"type": "text", "content": "Hi"}],
        contact_ids=[p.pk for p in people],
    )
    assert campaign.enrollment["suppressed"] == 1
    assert campaign.enrollment["opted_out"] == 0 and campaign.enrollment["enrolled"] == 2
    assert not CampaignContact.objects.filter(campaign=campaign, contact=people[0]).exists()


def test_a_suppression_after_start_is_skipped_at_claim_time(alice):
    people = make_contacts(alice, 3)
    campaign = start_campaign(alice, contacts=people, at=NOW)
    suppression_add(account=alice, address=people[1].phone, channel_type="whatsapp", source="api")
    run_days(NOW.replace(hour=0), 4)  # a third of three a day: one each day
    row = CampaignContact.objects.get(campaign=campaign, contact=people[1])
    assert row.status == "skipped" and row.skip_reason == "suppressed"
    others = CampaignContact.objects.filter(campaign=campaign).exclude(pk=row.pk)
    assert {r.status for r in others} == {"sent"}


def test_a_stop_from_an_unknown_number_is_remembered_for_a_later_contact(alice):
    channel = make_channel(alice)
    events_apply(channel=channel, events=[InboundEvent(sender="966507654321", text="STOP")])
    entry = Suppression.objects.get(account=alice)
    assert (entry.address, entry.source, entry.channel_type) == (
        "+966507654321",
        "stop",
        "whatsapp",
    )
    later = contact_create(account=alice, phone="+966507654321")
    assert later.opted_out
    imported = import_contacts_csv(
        account=alice, file=io.BytesIO(b"name,phone\nSara,+966507654321\n"), type="sms"
    )
    assert imported.created == 1  # another channel type: not suppressed there
    assert not Contact.objects.get(type="sms").opted_out


def test_an_import_at_a_suppressed_address_lands_opted_out(alice):
    suppression_add(account=alice, address="+966501110000", channel_type="whatsapp", source="api")
    import_contacts_csv(account=alice, file=io.BytesIO(b"name,phone\nOmar,+966501110000\n"))
    assert Contact.objects.get(phone="+966501110000").opted_out


def test_start_lifts_only_what_a_stop_added(alice):
    channel = make_channel(alice)
    contact = make_contact(alice, phone="+966507654321")
    events_apply(channel=channel, events=[InboundEvent(sender="+966507654321", text="STOP")])
    events_apply(channel=channel, events=[InboundEvent(sender="+966507654321", text="START")])
    contact.refresh_from_db()
    assert not contact.opted_out and not Suppression.objects.exists()

    suppression_add(account=alice, address=contact.phone, channel_type="whatsapp", source="api")
    events_apply(channel=channel, events=[InboundEvent(sender="+966507654321", text="START")])
    contact.refresh_from_db()
    assert contact.opted_out and Suppression.objects.filter(source="api").count() == 1


def test_a_blocked_bot_suppresses_the_chat(alice):
    channel = make_channel(alice, type="telegram", provider="console")
    events_apply(channel=channel, events=[BlockedEvent(sender="123456789")])
    entry = Suppression.objects.get(account=alice)
    assert (entry.address, entry.channel_type) == ("123456789", "telegram")


def test_a_csv_of_suppressions_is_imported_with_row_errors(api, alice):
    upload = io.BytesIO(b"address,reason\n+966501234567,complaint\nnonsense,\n+966501234567,\n")
    upload.name = "dnc.csv"
    response = api.post("/api/v1/suppressions/import", {"file": upload, "channel_type": "whatsapp"})
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["created"] == 1 and data["existing"] == 1
    assert [row["row"] for row in data["rejected"]] == [3]
    assert Suppression.objects.get().source == "import"


def test_suppressions_are_in_the_audit_log(api, alice):
    from skylight.models import AuditEvent

    created = api.post(
        "/api/v1/suppressions", {"address": "+966501234567", "channel_type": "whatsapp"}
    ).json()["data"]
    api.delete(f"/api/v1/suppressions/{created['id']}")
    actions = list(AuditEvent.objects.filter(account=alice).values_list("action", "object_id"))
    assert ("suppression.created", str(created["id"])) in actions
    assert ("suppression.deleted", str(created["id"])) in actions
