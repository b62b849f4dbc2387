"""`Idempotency-Key` on API POSTs: one campaign and one quota unit however often it is sent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from contacts.models import Contact
from skylight.models import IdempotencyKey, Subscription
from tests.campaigns.helpers import campaign_body
from tests.contacts.helpers import csv_upload
from tests.factories import make_channel, make_contact

URL = "/api/v1/campaigns"


@pytest.fixture
def body(alice):
    contacts = [make_contact(alice) for _ in range(3)]
    return campaign_body(make_channel(alice), contact_ids=[c.pk for c in contacts])


def quota_used(account) -> int:
    return Subscription.objects.get(account=account).outreach_campaigns_used


def post(api, body, key="key-1"):
    return api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_create_twice_makes_one_campaign_and_replays_the_answer(api, alice, body):
    first = post(api, body)
    second = post(api, body)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Campaign.objects.filter(account=alice).count() == 1
    assert quota_used(alice) == 1


def test_another_key_creates_another_campaign(api, alice, body):
    post(api, body, key="a")
    post(api, body, key="b")
    assert Campaign.objects.filter(account=alice).count() == 2


def test_the_same_key_with_another_body_is_422_and_changes_nothing(api, alice, body):
    post(api, body)
    response = post(api, {**body, "name": "Another name"})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "Idempotency-Key": ["This Idempotency-Key was already used with another request."]
    }
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Spring Promo 2026"]
    assert quota_used(alice) == 1


def test_the_same_key_on_another_path_is_422(api, alice, body):
    campaign_id = post(api, body).json()["data"]["id"]
    response = api.post(f"{URL}/{campaign_id}/start", HTTP_IDEMPOTENCY_KEY="key-1")
    assert response.status_code == 422
    assert Campaign.objects.get(pk=campaign_id).status == "draft"


def test_keys_are_per_account(api, bob_api, alice, bob, body):
    post(api, body)
    bob_body = campaign_body(make_channel(bob), contact_ids=[make_contact(bob).pk])
    response = post(bob_api, bob_body)

    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Campaign.objects.filter(account=bob).count() == 1


def test_a_replayed_error_is_the_first_error(api, alice, body):
    first = post(api, {**body, "messages": []})
    second = post(api, {**body, "messages": []})
    assert first.status_code == second.status_code == 422
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"


def test_a_lifecycle_action_is_done_once(api, alice, body):
    campaign_id = post(api, body, key="create").json()["data"]["id"]
    started = api.post(f"{URL}/{campaign_id}/start", HTTP_IDEMPOTENCY_KEY="start")
    again = api.post(f"{URL}/{campaign_id}/start", HTTP_IDEMPOTENCY_KEY="start")
    assert started.status_code == again.status_code == 200
    assert again.json()["data"]["status"] == "running"
    # Without the key the second start is refused as the state says.
    assert api.post(f"{URL}/{campaign_id}/start").status_code == 409


@pytest.mark.parametrize("key", ["", "k" * 256])
def test_a_key_outside_1_to_255_characters_is_422(api, alice, body, key):
    response = post(api, body, key=key)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Campaign.objects.exists()


def test_a_key_of_255_characters_is_accepted(api, body):
    assert post(api, body, key="k" * 255).status_code == 201


def test_an_unauthenticated_request_is_401_and_keeps_no_key(client, body):
    response = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_throttled_answer_is_not_kept(api, alice, body, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "1/min"},
    }
    api.get("/api/v1/account")
    assert post(api, body).status_code == 429
    assert not IdempotencyKey.objects.exists()


def test_after_24_hours_the_key_runs_again(api, alice, body):
    post(api, body)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    response = post(api, body)
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Campaign.objects.count() == 2


def test_a_request_still_running_is_409(api, alice, body):
    post(api, body)
    IdempotencyKey.objects.update(state=IdempotencyKey.State.RUNNING)
    response = post(api, body)
    assert response.status_code == 409
    assert "still being processed" in response.json()["message"]


def test_a_request_that_died_long_ago_is_run_again(api, alice, body):
    IdempotencyKey.objects.create(
        account=alice, key="key-1", fingerprint="died", created_at=timezone.now()
    )
    # A different fingerprint while running is a reused key...
    assert post(api, body).status_code == 422
    IdempotencyKey.objects.update(
        fingerprint=_fingerprint_of(api, body), created_at=timezone.now() - timedelta(minutes=5)
    )
    # ...the same one, abandoned for minutes (nothing holds its row), runs again.
    assert post(api, body).status_code == 201
    assert Campaign.objects.count() == 1


def _fingerprint_of(api, body) -> str:
    post(api, body, key="probe")
    probe = IdempotencyKey.objects.get(key="probe")
    Campaign.objects.all().delete()
    return probe.fingerprint


def test_a_multipart_import_is_read_once_and_replayed(api, alice):
    csv = "name,phone\nSara,+966501111111\nOmar,+966502222222\n"
    first = api.post(
        "/api/v1/contacts/import",
        {"file": csv_upload(csv)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="import",
    )
    Contact.objects.filter(account=alice).delete()
    second = api.post(
        "/api/v1/contacts/import",
        {"file": csv_upload(csv)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="import",
    )
    assert first.status_code == 200
    assert first.json()["data"]["created"] == 2
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not Contact.objects.filter(account=alice).exists()


def test_the_openapi_document_offers_the_header_on_every_post(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    posts = [item["post"] for item in schema["paths"].values() if "post" in item]
    assert posts
    for operation in posts:
        names = [parameter["name"] for parameter in operation.get("parameters", [])]
        assert "Idempotency-Key" in names
        assert "409" in operation["responses"]


def test_answers_older_than_24_hours_are_purged_by_the_next_new_key(api, alice, body):
    post(api, body, key="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    post(api, {**body, "name": "Second"}, key="new")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
