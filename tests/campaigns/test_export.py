"""`GET /campaigns/{id}/contacts/export`: a streamed CSV of the campaign's contacts."""

import csv
import io
from datetime import UTC, datetime

import pytest

from campaigns.models import CampaignContact, Delivery
from skylight import csv_export
from tests.factories import make_contact

AT = datetime(2026, 3, 5, 9, 12, tzinfo=UTC)


def read_csv(response) -> list[dict]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def campaign(create_campaign):
    campaign = create_campaign()
    rows = list(CampaignContact.objects.filter(campaign_id=campaign["id"]).order_by("id"))
    sent, failed, skipped = rows[0], rows[1], rows[2]
    sent.status, sent.sent_at = "sent", AT
    sent.save()
    Delivery.objects.create(
        campaign_contact=sent,
        position=1,
        type="text",
        body="Hi",
        status="read",
        sent_at=AT,
        delivered_at=AT.replace(second=30),
        read_at=AT.replace(minute=20),
    )
    failed.status, failed.error = "failed", "rejected: HTTP 400: bad number"
    failed.save()
    skipped.status, skipped.error = "skipped", "Contact opted out before sending."
    skipped.save()
    return campaign


def test_it_streams_every_contact_with_its_outcome(api, campaign):
    response = api.get(f"/api/v1/campaigns/{campaign['id']}/contacts/export")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="campaign-{campaign["id"]}-contacts-'
    )
    rows = read_csv(response)
    assert len(rows) == 5
    assert list(rows[0]) == [
        "name",
        "phone",
        "status",
        "sent_at",
        "delivered_at",
        "read_at",
        "replied_at",
        "skip_reason",
        "error",
    ]
    first = CampaignContact.objects.filter(campaign_id=campaign["id"]).order_by("id").first()
    assert rows[0] == {
        "name": first.contact.name,
        "phone": "'" + first.contact.phone,
        "status": "sent",
        "sent_at": "2026-03-05T09:12:00.000000Z",
        "delivered_at": "2026-03-05T09:12:30.000000Z",
        "read_at": "2026-03-05T09:20:00.000000Z",
        "replied_at": "",
        "skip_reason": "",
        "error": "",
    }
    assert (rows[1]["status"], rows[1]["error"]) == ("failed", "rejected: HTTP 400: bad number")
    assert (rows[2]["skip_reason"], rows[2]["error"]) == ("Contact opted out before sending.", "")
    assert [row["status"] for row in rows[3:]] == ["pending", "pending"]


def test_it_takes_the_listings_status_filter(api, campaign):
    rows = read_csv(api.get(f"/api/v1/campaigns/{campaign['id']}/contacts/export?status=failed"))
    assert [row["status"] for row in rows] == ["failed"]
    bad = api.get(f"/api/v1/campaigns/{campaign['id']}/contacts/export?status=nope")
    assert bad.status_code == 422 and "status" in bad.json()["errors"]


def test_formula_cells_are_neutralised(api, alice, channel):
    names = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "Plain"]
    contacts = [make_contact(alice, name=name) for name in names]
    response = api.post(
        "/api/v1/campaigns",
        {
            "name": "Injection",
            "channel_id": channel.pk,
            "messages": [{"type": "text", "content": "Hi"}],
            "contact_ids": [c.pk for c in contacts],
        },
        format="json",
    )
    export = api.get(f"/api/v1/campaigns/{response.json()['data']['id']}/contacts/export")
    exported = [row["name"] for row in read_csv(export)]
    assert exported == ["'" + name for name in names[:-1]] + ["Plain"]


def test_reading_is_chunked_by_keyset(api, campaign, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(csv_export, "CHUNK_ROWS", 2)
    response = api.get(f"/api/v1/campaigns/{campaign['id']}/contacts/export")
    # Three chunks of at most two rows; the short last one ends the reading.
    with django_assert_num_queries(3):
        assert len(read_csv(response)) == 5


def test_another_accounts_campaign_is_404(bob_api, campaign):
    assert bob_api.get(f"/api/v1/campaigns/{campaign['id']}/contacts/export").status_code == 404


def test_a_client_asking_for_csv_gets_it(api, campaign):
    response = api.get(
        f"/api/v1/campaigns/{campaign['id']}/contacts/export", HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 200 and len(read_csv(response)) == 5
