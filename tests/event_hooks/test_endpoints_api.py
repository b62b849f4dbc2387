"""`/webhook-endpoints`: create (the secret shown once), read, change, roll, delete, the
delivery log and resend; validation is 422 in the envelope; other accounts' are 404."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.event_hooks.delivery import deliveries_sweep
from skylight.events import event_emit
from skylight.models import AuditEvent, WebhookEndpoint
from tests.event_hooks.helpers import create_endpoint, signature_ok

URL = "/api/v1/webhook-endpoints"


def test_the_secret_is_shown_on_create_only(api, receiver):
    created = create_endpoint(api, receiver.url, events=["campaign.started"])

    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["campaign.started"]
    assert created["is_active"] is True
    shown = api.get(f"{URL}/{created['id']}").json()["data"]
    assert "secret" not in shown
    assert "secret" not in api.get(URL).json()["data"][0]


def test_the_secret_is_encrypted_at_rest(api, receiver):
    created = create_endpoint(api, receiver.url)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT secret FROM {WebhookEndpoint._meta.db_table} WHERE id = %s", [created["id"]]
        )
        stored = cursor.fetchone()[0]
    assert created["secret"] not in stored
    assert WebhookEndpoint.objects.get().secret == created["secret"]


def test_unknown_event_types_and_bad_urls_are_422_in_the_envelope(api, receiver):
    response = api.post(URL, {"url": receiver.url, "events": ["contact.exploded"]}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert body["errors"] == {"events.0": ['"contact.exploded" is not a valid choice.']}

    response = api.post(
        URL, {"url": "ftp://example.com/x", "events": ["contact.sent"]}, format="json"
    )
    assert response.status_code == 422
    assert "url" in response.json()["errors"]

    response = api.post(URL, {"url": receiver.url, "events": []}, format="json")
    assert response.status_code == 422
    assert not WebhookEndpoint.objects.exists()


def test_the_private_network_guard_refuses_internal_urls(api, settings):
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False
    for url in ("http://127.0.0.1:8000/hooks", "http://10.1.2.3/hooks", "http://[::1]/hooks"):
        response = api.post(URL, {"url": url, "events": ["contact.sent"]}, format="json")
        assert response.status_code == 422, url
        assert "not a public internet address" in response.json()["errors"]["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_the_guard_also_refuses_changing_the_url_to_an_internal_one(api, receiver, settings):
    created = create_endpoint(api, receiver.url)
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False

    response = api.patch(f"{URL}/{created['id']}", {"url": "http://192.168.1.5/"}, format="json")

    assert response.status_code == 422
    assert WebhookEndpoint.objects.get().url == receiver.url


def test_patch_changes_events_and_enabling_clears_the_disabled_reason(api, receiver):
    created = create_endpoint(api, receiver.url)
    WebhookEndpoint.objects.update(is_active=False, disabled_reason="Failed for a day.")

    response = api.patch(
        f"{URL}/{created['id']}", {"events": ["contact.read"], "is_active": True}, format="json"
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["events"], data["is_active"], data["disabled_reason"]) == (
        ["contact.read"],
        True,
        "",
    )
    assert "secret" not in data


def test_rolling_the_secret_signs_with_the_new_one(alice, api, receiver):
    created = create_endpoint(api, receiver.url)

    response = api.post(f"{URL}/{created['id']}/roll-secret")

    assert response.status_code == 200
    rolled = response.json()["data"]["secret"]
    assert rolled != created["secret"]
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    deliveries_sweep(timezone.now(), inline=True)
    assert signature_ok(rolled, receiver.requests[0])
    assert not signature_ok(created["secret"], receiver.requests[0])


def test_the_delivery_log_lists_attempts_and_resend_sends_again(alice, api, receiver):
    created = create_endpoint(api, receiver.url)
    receiver.then(400)
    event_id = event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    deliveries_sweep(timezone.now(), inline=True)

    listing = api.get(f"{URL}/{created['id']}/deliveries").json()
    row = listing["data"][0]
    assert listing["meta"]["total"] == 1
    assert (row["event_id"], row["event_type"], row["status"]) == (
        event_id,
        "campaign.started",
        "failed",
    )
    assert (row["status_code"], row["attempt"], row["next_retry_at"]) == (400, 1, None)
    assert row["latency_ms"] >= 0
    assert [a["status_code"] for a in row["attempt_log"]] == [400]

    response = api.post(f"{URL}/{created['id']}/deliveries/{row['id']}/resend")
    assert response.status_code == 202
    assert response.json()["data"]["status"] == "pending"
    deliveries_sweep(timezone.now(), inline=True)

    row = api.get(f"{URL}/{created['id']}/deliveries?status=succeeded").json()["data"][0]
    assert (row["status"], row["attempt"]) == ("succeeded", 2)
    assert [r.json()["id"] for r in receiver.requests] == [event_id, event_id]
    assert api.get(f"{URL}/{created['id']}/deliveries?status=nope").status_code == 422


def test_resending_through_a_disabled_endpoint_is_409(alice, api, receiver):
    created = create_endpoint(api, receiver.url)
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    WebhookEndpoint.objects.update(is_active=False)
    delivery_id = api.get(f"{URL}/{created['id']}/deliveries").json()["data"][0]["id"]

    response = api.post(f"{URL}/{created['id']}/deliveries/{delivery_id}/resend")

    assert response.status_code == 409


def test_other_accounts_endpoints_are_404(api, bob_api, receiver):
    created = create_endpoint(api, receiver.url)
    path = f"{URL}/{created['id']}"

    assert bob_api.get(path).status_code == 404
    assert bob_api.patch(path, {"is_active": False}, format="json").status_code == 404
    assert bob_api.post(f"{path}/roll-secret").status_code == 404
    assert bob_api.get(f"{path}/deliveries").status_code == 404
    assert bob_api.delete(path).status_code == 404
    assert bob_api.get(URL).json()["data"] == []


def test_create_update_roll_and_delete_are_audited(api, receiver):
    created = create_endpoint(api, receiver.url)
    path = f"{URL}/{created['id']}"
    api.patch(path, {"is_active": False}, format="json")
    api.post(f"{path}/roll-secret")
    assert api.delete(path).status_code == 204

    actions = list(AuditEvent.objects.order_by("id").values_list("action", "object_id"))
    endpoint_id = str(created["id"])
    assert actions == [
        ("webhook_endpoint.created", endpoint_id),
        ("webhook_endpoint.updated", endpoint_id),
        ("webhook_endpoint.secret_rolled", endpoint_id),
        ("webhook_endpoint.deleted", endpoint_id),
    ]
    assert created["secret"] not in str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_costs_the_same_queries_for_1_or_25_rows(
    alice, api, receiver, django_assert_max_num_queries
):
    created = create_endpoint(api, receiver.url)
    path = f"{URL}/{created['id']}/deliveries"
    event_emit(alice.pk, "campaign.started", {"campaign_id": 1})
    with CaptureQueriesContext(connection) as one:
        api.get(path)
    for n in range(24):
        event_emit(alice.pk, "campaign.paused", {"campaign_id": n})
    receiver.default = 503
    deliveries_sweep(timezone.now(), inline=True)  # every row gets an attempt

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get(path).json()["data"]) == 25


def test_found_by_make_fuzz_an_empty_status_is_no_filter_and_is_active_must_be_a_boolean(api):
    created = create_endpoint(api, "https://example.com/hook")
    assert api.get(f"{URL}/{created['id']}/deliveries?status=").status_code == 200
    answer = api.patch(f"{URL}/{created['id']}", {"is_active": 0}, format="json")
    assert answer.status_code == 422 and "is_active" in answer.json()["errors"]
    assert api.get(f"{URL}/{created['id']}").json()["data"]["is_active"] is True
