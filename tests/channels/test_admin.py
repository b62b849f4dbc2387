"""Channel admin: list with filters, config shown with secrets masked, validated edits."""

import json

import pytest

from channels.models import Channel
from tests.factories import make_channel
from tests.fakes.whatsapp import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN

CONFIG = {
    "phone_number_id": PHONE_NUMBER_ID,
    "access_token": ACCESS_TOKEN,
    "app_secret": APP_SECRET,
    "verify_token": VERIFY_TOKEN,
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_changelist_filters_and_search(admin_client, alice):
    make_channel(alice, name="Riyadh line", provider="whatsapp_cloud", config=CONFIG)
    response = admin_client.get(
        "/admin/messaging_channels/channel/?provider=whatsapp_cloud&q=Riyadh"
    )
    assert response.status_code == 200
    assert "Riyadh line" in response.content.decode()


def test_change_page_never_shows_secrets(admin_client, alice):
    channel = make_channel(alice, provider="whatsapp_cloud", config=CONFIG)
    page = admin_client.get(
        f"/admin/messaging_channels/channel/{channel.pk}/change/"
    ).content.decode()
    assert PHONE_NUMBER_ID in page and "********" in page
    for secret in (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN):
        assert secret not in page


def form_data(channel, config):
    return {
        "account": channel.account_id,
        "name": "Renamed",
        "type": channel.type,
        "provider": channel.provider,
        "phone": "",
        "is_active": "on",
        "config": json.dumps(config),
    }


def test_saving_without_secrets_keeps_them(admin_client, alice):
    channel = make_channel(alice, provider="whatsapp_cloud", config=CONFIG)
    response = admin_client.post(
        f"/admin/messaging_channels/channel/{channel.pk}/change/",
        form_data(channel, {"phone_number_id": "777777"}),
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Renamed"
    assert channel.config == {**CONFIG, "phone_number_id": "777777"}


def test_invalid_config_is_refused(admin_client, alice):
    channel = make_channel(alice, provider="whatsapp_cloud", config=CONFIG)
    response = admin_client.post(
        f"/admin/messaging_channels/channel/{channel.pk}/change/",
        form_data(channel, {"phone_number_id": "abc"}),
    )
    assert response.status_code == 200
    assert "config.phone_number_id" in response.content.decode()
    assert Channel.objects.get(pk=channel.pk).config == CONFIG


def test_the_change_page_shows_why_a_gateway_channel_cannot_send(admin_client, alice, fake_waha):
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    Channel.objects.filter(pk=channel.pk).update(
        unavailable_reason="WhatsApp session is waiting for a QR scan."
    )

    page = admin_client.get(f"/admin/messaging_channels/channel/{channel.pk}/change/")
    listing = admin_client.get("/admin/messaging_channels/channel/")

    assert "WhatsApp session is waiting for a QR scan." in page.content.decode()
    assert fake_waha.channel_config()["api_key"] not in page.content.decode()
    assert "waiting for a QR scan" in listing.content.decode()
