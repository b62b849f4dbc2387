"""The Webhooks page: add an endpoint (secret shown once), toggle, roll, delete, and the
delivery log with its Resend button; owners only, others' endpoints are 404."""

import re

from django.utils import timezone

from channels.event_hooks.delivery import deliveries_sweep
from channels.event_hooks.services import webhook_endpoint_create
from skylight.events import event_emit
from skylight.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from tests.factories import member_of

RECEIVER = "https://hooks.example.com/skylight"


def test_adding_an_endpoint_shows_its_secret_once(web):
    page = web.post(
        "/event-webhooks/", {"url": RECEIVER, "events": ["campaign.started", "contact.sent"]}
    )

    endpoint = WebhookEndpoint.objects.get()
    html = page.content.decode()
    assert page.status_code == 200
    assert endpoint.secret in html
    assert endpoint.events == ["campaign.started", "contact.sent"]
    assert AuditEvent.objects.filter(action="webhook_endpoint.created").exists()
    again = web.get("/event-webhooks/").content.decode()
    assert RECEIVER in again and endpoint.secret not in again
    assert endpoint.secret not in web.get(f"/event-webhooks/{endpoint.pk}/").content.decode()


def test_an_unknown_event_or_a_bad_url_is_shown_on_the_form(web):
    page = web.post("/event-webhooks/", {"url": "not a url", "events": ["contact.exploded"]})

    assert page.status_code == 200
    assert "Enter a valid URL" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_toggle_roll_and_delete(web, alice):
    endpoint = webhook_endpoint_create(account=alice, url=RECEIVER, events=["contact.read"])
    old_secret = endpoint.secret

    web.post(f"/event-webhooks/{endpoint.pk}/toggle/")
    assert not WebhookEndpoint.objects.get().is_active
    rolled = web.post(f"/event-webhooks/{endpoint.pk}/roll/")
    new_secret = WebhookEndpoint.objects.get().secret
    assert new_secret != old_secret
    assert new_secret in rolled.content.decode()
    web.post(f"/event-webhooks/{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "webhook_endpoint.updated",
        "webhook_endpoint.secret_rolled",
        "webhook_endpoint.deleted",
    ]


def test_the_delivery_log_and_resend(web, alice, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("no", status=400)
    endpoint = webhook_endpoint_create(
        account=alice, url=httpserver.url_for("/hooks"), events=["campaign.started"]
    )
    event_id = event_emit(alice.pk, "campaign.started", {"campaign_id": 7})
    deliveries_sweep(timezone.now(), inline=True)
    delivery = WebhookDelivery.objects.get()

    html = web.get(f"/event-webhooks/{endpoint.pk}/").content.decode()
    assert event_id in html and "400" in html and "Failed" in html
    assert re.search(rf"/event-webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/", html)

    web.post(f"/event-webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/")
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_others_endpoints_are_404_and_members_who_are_not_owners_are_refused(
    web, client, alice, bob
):
    theirs = webhook_endpoint_create(account=bob, url=RECEIVER, events=["contact.read"])
    assert web.get(f"/event-webhooks/{theirs.pk}/").status_code == 404
    assert web.post(f"/event-webhooks/{theirs.pk}/delete/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()

    client.force_login(member_of(alice, "carol", role="member"))
    assert client.get("/event-webhooks/").status_code == 403


def test_the_nav_links_to_the_webhooks_page(web):
    assert 'href="/event-webhooks/"' in web.get("/activity/").content.decode()
