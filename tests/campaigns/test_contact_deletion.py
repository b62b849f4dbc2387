"""Deleting a contact takes it out of its campaigns and keeps their counters exact."""

from django.contrib.admin.sites import site
from django.test import RequestFactory

from campaigns.models import Campaign, CampaignContact
from contacts.models import Contact
from tests.engine.helpers import assert_counters_match


def _set_status(campaign_id, contact, status):
    CampaignContact.objects.filter(campaign_id=campaign_id, contact=contact).update(status=status)
    field = {"sent": "sent_count", "failed": "failed_count", "skipped": "skipped_count"}.get(status)
    if field:
        from django.db.models import F

        Campaign.objects.filter(pk=campaign_id).update(
            pending_count=F("pending_count") - 1, **{field: F(field) + 1}
        )


def test_deleting_a_pending_contact_shrinks_the_campaign(api, create_campaign, contacts):
    data = create_campaign()
    api.post(f"/api/v1/campaigns/{data['id']}/start")

    assert api.delete(f"/api/v1/contacts/{contacts[0].pk}").status_code == 204

    body = api.get(f"/api/v1/campaigns/{data['id']}").json()["data"]
    assert body["total_contacts"] == 4
    assert body["pending_contacts_count"] == 4
    assert_counters_match(Campaign.objects.get(pk=data["id"]))


def test_deleting_a_sent_contact_takes_it_out_of_the_sent_count(api, create_campaign, contacts):
    data = create_campaign()
    _set_status(data["id"], contacts[1], "sent")
    _set_status(data["id"], contacts[2], "failed")

    api.delete(f"/api/v1/contacts/{contacts[1].pk}")
    api.delete(f"/api/v1/contacts/{contacts[2].pk}")

    body = api.get(f"/api/v1/campaigns/{data['id']}").json()["data"]
    assert (body["total_contacts"], body["success_count"], body["failed_count"]) == (3, 0, 0)
    assert_counters_match(Campaign.objects.get(pk=data["id"]))


def test_a_contact_being_sent_to_cannot_be_deleted_yet(api, create_campaign, contacts):
    data = create_campaign()
    _set_status(data["id"], contacts[0], "sending")

    response = api.delete(f"/api/v1/contacts/{contacts[0].pk}")

    assert response.status_code == 409
    assert "being sent" in response.json()["message"]
    assert Contact.objects.filter(pk=contacts[0].pk).exists()
    assert Campaign.objects.get(pk=data["id"]).total_contacts == 5


def test_admin_bulk_delete_keeps_every_campaign_exact(api, create_campaign, contacts, admin_user):
    first = create_campaign()
    second = create_campaign(contact_ids=[c.pk for c in contacts[:3]])
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    model_admin = site._registry[Contact]

    model_admin.delete_queryset(
        request, Contact.objects.filter(pk__in=[c.pk for c in contacts[:2]])
    )

    assert Campaign.objects.get(pk=first["id"]).total_contacts == 3
    assert Campaign.objects.get(pk=second["id"]).total_contacts == 1
    assert_counters_match(Campaign.objects.get(pk=first["id"]))
    assert_counters_match(Campaign.objects.get(pk=second["id"]))
