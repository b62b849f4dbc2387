"""Admin: endpoints without their secret, pausable; deliveries read-only."""

from channels.event_hooks.services import webhook_endpoint_create
from skylight.events import event_emit
from skylight.models import AuditEvent, WebhookDelivery, WebhookEndpoint


def test_the_endpoint_admin_never_shows_the_secret_and_audits_changes(admin_client, alice):
    endpoint = webhook_endpoint_create(
        account=alice, url="https://example.com/h", events=["contact.read"]
    )

    page = admin_client.get(f"/admin/skylight/webhookendpoint/{endpoint.pk}/change/")
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert "example.com/h" in admin_client.get("/admin/skylight/webhookendpoint/").content.decode()

    admin_client.post(
        f"/admin/skylight/webhookendpoint/{endpoint.pk}/change/",
        {"events": '["contact.read"]', "is_active": ""},
    )
    assert not WebhookEndpoint.objects.get().is_active
    assert AuditEvent.objects.filter(action="webhook_endpoint.updated").exists()


def test_deliveries_are_read_only_in_the_admin(admin_client, alice):
    webhook_endpoint_create(account=alice, url="https://example.com/h", events=["contact.read"])
    event_emit(alice.pk, "contact.read", {"n": 1})
    delivery = WebhookDelivery.objects.get()

    assert admin_client.get("/admin/skylight/webhookdelivery/").status_code == 200
    page = admin_client.get(f"/admin/skylight/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get("/admin/skylight/webhookdelivery/add/").status_code == 403
