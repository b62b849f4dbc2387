"""Dashboard pages of the self-hosted WhatsApp gateways: forms with field help, the
connection check, the webhook button and the unavailable mark."""

import pytest
from django.urls import reverse

from channels.models import Channel
from tests.dashboard.helpers import htmx
from tests.factories import make_channel
from tests.fakes import evolution, waha


@pytest.mark.django_db
def test_the_waha_form_explains_each_field_and_stores_a_channel(web, alice, fake_waha):
    form = web.get(reverse("dashboard:channel_new"), {"provider": "waha"}).content.decode()
    assert "WAHA_API_KEY" in form and "Sessions list" in form and "scan its QR code" in form
    assert (
        'name="config_typing_indicator"' in form and 'type="password" name="config_api_key"' in form
    )

    response = web.post(
        reverse("dashboard:channel_new"),
        {
            "provider": "waha",
            "name": "Sales WhatsApp",
            "type": "whatsapp",
            "config_base_url": fake_waha.url,
            "config_api_key": waha.API_KEY,
            "config_session": "default",
        },
    )

    assert response.status_code == 302
    channel = Channel.objects.get(account=alice, provider="waha")
    assert channel.config["api_key"] == waha.API_KEY
    assert channel.config["typing_indicator"] is False  # an unticked box is "off"


@pytest.mark.django_db
def test_the_evolution_form_says_its_webhook_url_is_the_only_proof(web):
    form = web.get(reverse("dashboard:channel_new"), {"provider": "evolution_api"}).content.decode()
    assert "signs nothing" in form and "unguessable" in form
    assert "Evolution Manager" in form


@pytest.mark.django_db
def test_check_connection_shows_the_state_in_words(web, alice, fake_waha):
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    fake_waha.session_status = "SCAN_QR_CODE"

    page = htmx(web, "post", reverse("dashboard:channel_connection", args=[channel.pk]))

    assert "WhatsApp session is waiting for a QR scan" in page.content.decode()
    channel.refresh_from_db()
    assert channel.unavailable_reason


@pytest.mark.django_db
def test_the_channel_page_shows_why_it_cannot_send(web, alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    Channel.objects.filter(pk=channel.pk).update(
        unavailable_reason="Evolution API refused the key."
    )

    page = web.get(reverse("dashboard:channel_detail", args=[channel.pk])).content.decode()
    listing = web.get(reverse("dashboard:channels")).content.decode()

    assert "Evolution API refused the key." in page and "Check connection" in page
    assert "Unavailable" in listing


@pytest.mark.django_db
def test_the_webhook_button_registers_with_evolution(web, alice, fake_evolution, settings):
    settings.SKYLIGHT_PUBLIC_URL = "https://sky.example.com"
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())

    page = htmx(web, "post", reverse("dashboard:channel_webhook", args=[channel.pk]))

    assert "now posts MESSAGES_UPSERT, MESSAGES_UPDATE, CONNECTION_UPDATE" in page.content.decode()
    assert fake_evolution.webhook["url"] == channel.webhook_url
    assert fake_evolution.last.path == f"/webhook/set/{evolution.INSTANCE}"


@pytest.mark.django_db
def test_the_webhook_button_explains_a_non_https_public_url(web, alice, fake_evolution, settings):
    settings.SKYLIGHT_PUBLIC_URL = "http://sky.example.com"
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())

    page = htmx(web, "post", reverse("dashboard:channel_webhook", args=[channel.pk]))

    assert "https" in page.content.decode() and fake_evolution.requests == []


@pytest.mark.django_db
def test_the_test_button_refuses_to_send_through_a_closed_instance(web, alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    fake_evolution.state = "close"

    page = htmx(
        web,
        "post",
        reverse("dashboard:channel_test", args=[channel.pk]),
        {"recipient": "+966501234567"},
    )

    assert "disconnected" in page.content.decode() and "nothing was sent" in page.content.decode()
    assert fake_evolution.sends == []


@pytest.mark.django_db
def test_invalid_stored_settings_are_explained_not_a_500(web, alice, fake_waha):
    channel = make_channel(alice, provider="waha", config={"base_url": "ftp://broken"})

    page = htmx(web, "post", reverse("dashboard:channel_connection", args=[channel.pk]))

    assert page.status_code == 200 and "stored settings are invalid" in page.content.decode()
