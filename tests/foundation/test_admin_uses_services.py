"""The admin writes through the services, so their rules hold for staff too."""

import json

import pytest

from campaigns.models import Campaign
from channels.models import Channel
from contacts.models import Contact
from tests.factories import make_campaign, make_contact


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def channel_form(channel, **changes):
    data = {
        "name": channel.name,
        "type": channel.type,
        "provider": channel.provider,
        "phone": "",
        "is_active": "on",
        "config": json.dumps({}),
    }
    data.update(changes)
    return data


def test_a_channel_in_use_cannot_change_type_in_the_admin(admin_client, alice):
    channel = make_campaign(alice).channel
    response = admin_client.post(
        f"/admin/messaging_channels/channel/{channel.pk}/change/",
        channel_form(channel, type="telegram"),
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert "type cannot change while campaigns use the channel" in response.content.decode()
    assert Channel.objects.get(pk=channel.pk).type == "whatsapp"


def test_a_channel_in_use_is_not_deleted_from_the_admin(admin_client, alice):
    channel = make_campaign(alice).channel
    response = admin_client.post(
        f"/admin/messaging_channels/channel/{channel.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert "Cannot delete channel" in response.content.decode()
    assert Channel.objects.filter(pk=channel.pk).exists()


def test_the_admin_bulk_delete_reports_the_services_refusal(admin_client, alice):
    used = make_campaign(alice).channel
    response = admin_client.post(
        "/admin/messaging_channels/channel/",
        {"action": "delete_selected", "_selected_action": [used.pk], "post": "yes"},
        follow=True,
    )
    assert Channel.objects.filter(pk=used.pk).exists()
    assert "delete" in response.content.decode().lower()


def test_a_channel_created_in_the_admin_is_validated_and_saved_by_the_service(admin_client, alice):
    response = admin_client.post(
        "/admin/messaging_channels/channel/add/",
        {
            "account": alice.pk,
            "name": "Gateway",
            "type": "whatsapp",
            "provider": "console",
            "phone": "",
            "is_active": "on",
            "config": json.dumps({}),
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get(name="Gateway")
    assert channel.account == alice and channel.webhook_token


def contact_form(account, **changes):
    data = {"account": account.pk, "name": "Sara", "phone": "+966501234567", "type": "whatsapp"}
    data.update(changes)
    data.setdefault("attributes", "{}")
    return data


def test_a_taken_phone_is_a_form_error_in_the_contact_admin(admin_client, alice):
    make_contact(alice, phone="+966501234567")
    response = admin_client.post("/admin/contacts/contact/add/", contact_form(alice))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Contact.objects.filter(account=alice).count() == 1


def test_the_contact_admin_normalises_through_the_service(admin_client, alice):
    response = admin_client.post(
        "/admin/contacts/contact/add/", contact_form(alice, phone="00966 50 123 4567")
    )
    assert response.status_code == 302
    assert Contact.objects.get(account=alice).phone == "+966501234567"


def test_a_draft_edited_in_the_admin_goes_through_campaign_update(admin_client, alice):
    campaign = make_campaign(alice)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    message = campaign.messages.get()
    half_window = {
        "name": "Renamed",
        "timezone": "UTC",
        "send_window_start": "09:00",
        "messages-TOTAL_FORMS": "1",
        "messages-INITIAL_FORMS": "1",
        "messages-0-id": str(message.pk),
        "messages-0-campaign": str(campaign.pk),
    }
    response = admin_client.post(url, half_window)
    assert response.status_code == 200 and "both ends" in response.content.decode()
    response = admin_client.post(
        url,
        {**half_window, "send_window_end": "17:00", "timezone": "Asia/Riyadh"},
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.name == "Renamed" and campaign.timezone == "Asia/Riyadh"
    assert campaign.send_window_end.hour == 17
    assert [m.content for m in campaign.messages.all()] == ["Hi {{name}}"]
