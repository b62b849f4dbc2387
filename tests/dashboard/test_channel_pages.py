import pytest
from django.urls import reverse

from campaigns.services import campaign_start
from channels.models import Channel
from tests.dashboard.helpers import htmx
from tests.factories import make_campaign, make_channel

SID = "AC" + "0" * 32
TOKEN = "a" * 32


def _twilio(**overrides):
    data = {
        "provider": "twilio",
        "name": "Twilio SMS",
        "type": "sms",
        "phone": "+15005550006",
        "is_active": "on",
        "config_account_sid": SID,
        "config_auth_token": TOKEN,
        "config_from_number": "+15005550006",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_each_provider_has_its_own_form(web):
    picker = web.get(reverse("dashboard:channel_new")).content.decode()
    for provider in ("whatsapp_cloud", "telegram_bot", "twilio", "webhook", "console"):
        assert f"?provider={provider}" in picker
    twilio = web.get(reverse("dashboard:channel_new"), {"provider": "twilio"}).content.decode()
    assert 'name="config_account_sid"' in twilio and 'name="config_auth_token"' in twilio
    assert 'type="password"' in twilio
    telegram = web.get(reverse("dashboard:channel_new"), {"provider": "telegram_bot"}).content
    assert b'name="config_bot_token"' in telegram and b"config_account_sid" not in telegram
    assert "Twilio settings" in twilio


@pytest.mark.django_db
def test_connecting_a_channel_never_shows_the_secret_again(web, alice):
    response = web.post(reverse("dashboard:channel_new"), _twilio())
    channel = Channel.objects.get(account=alice)
    assert response["Location"] == reverse("dashboard:channel_detail", args=[channel.pk])
    assert channel.config["auth_token"] == TOKEN
    page = web.get(response["Location"]).content.decode()
    assert TOKEN not in page and SID in page
    assert f"http://testserver/webhooks/{channel.webhook_token}/" in page


@pytest.mark.django_db
def test_a_blank_secret_on_edit_keeps_the_stored_one(web, alice):
    web.post(reverse("dashboard:channel_new"), _twilio())
    channel = Channel.objects.get(account=alice)
    url = reverse("dashboard:channel_detail", args=[channel.pk])
    web.post(url, _twilio(name="Renamed", config_auth_token=""))
    channel.refresh_from_db()
    assert channel.name == "Renamed" and channel.config["auth_token"] == TOKEN
    web.post(url, _twilio(config_auth_token="b" * 32))
    channel.refresh_from_db()
    assert channel.config["auth_token"] == "b" * 32


@pytest.mark.django_db
def test_config_errors_are_shown_on_their_field(web, alice):
    page = web.post(
        reverse("dashboard:channel_new"), _twilio(config_account_sid="nope", config_auth_token="")
    ).content.decode()
    assert "Starts with AC, 34 characters." in page
    assert "This setting is required." in page
    assert not Channel.objects.exists()


@pytest.mark.django_db
def test_a_type_the_provider_does_not_serve_is_refused(web, alice):
    page = web.post(reverse("dashboard:channel_new"), _twilio(type="telegram")).content.decode()
    assert "Select a valid choice" in page
    assert not Channel.objects.exists()


@pytest.mark.django_db
def test_the_test_message_through_the_console_provider(web, alice):
    channel = make_channel(alice)
    url = reverse("dashboard:channel_test", args=[channel.pk])
    page = htmx(web, "post", url, {"recipient": "+966501234567", "text": "ping"}).content.decode()
    assert "<html" not in page and 'id="test-panel"' in page
    assert "Accepted by the provider" in page
    page = htmx(web, "post", url, {"recipient": "12"}).content.decode()
    assert "has-error" in page


@pytest.mark.django_db
def test_a_failing_provider_is_reported(web, alice, httpserver, settings):
    settings.SKYLIGHT_TWILIO_API_BASE = httpserver.url_for("").rstrip("/")
    httpserver.expect_request(
        f"/2010-04-01/Accounts/{SID}/Messages.json", method="POST"
    ).respond_with_json({"code": 21211, "message": "Invalid 'To' Phone Number"}, status=400)
    channel = make_channel(
        alice,
        provider="twilio",
        type="sms",
        config={"account_sid": SID, "auth_token": TOKEN, "from_number": "+15005550006"},
    )
    page = htmx(
        web,
        "post",
        reverse("dashboard:channel_test", args=[channel.pk]),
        {"recipient": "+966501234567"},
    ).content.decode()
    assert "form-errors" in page and "permanent" in page


@pytest.mark.django_db
def test_a_channel_in_use_cannot_be_deleted(web, alice):
    campaign = make_campaign(alice)
    campaign_start(campaign=campaign)
    url = reverse("dashboard:channel_delete", args=[campaign.channel.pk])
    page = web.post(url, follow=True).content.decode()
    assert "used by running or paused campaigns" in page
    assert Channel.objects.filter(pk=campaign.channel.pk).exists()
    unused = make_channel(alice, name="Spare")
    web.post(reverse("dashboard:channel_delete", args=[unused.pk]))
    assert not Channel.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_a_form_error_keeps_the_secret_just_typed(web, alice):
    page = web.post(reverse("dashboard:channel_new"), _twilio(phone="not a phone")).content
    page = page.decode()
    assert "has-error" in page and not Channel.objects.exists()
    assert f'name="config_auth_token" value="{TOKEN}"' in page
    assert "Kept as you typed it" in page


@pytest.mark.django_db
def test_editing_never_renders_the_stored_secret(web, alice):
    response = web.post(reverse("dashboard:channel_new"), _twilio())
    page = web.post(response["Location"], _twilio(phone="bad phone", config_auth_token="")).content
    assert TOKEN.encode() not in page


@pytest.mark.django_db
def test_the_webhook_url_uses_the_host_and_port_of_the_request(client, alice_user, alice, settings):
    settings.SKYLIGHT_PUBLIC_URL = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    channel = make_channel(alice)
    client.force_login(alice_user)
    page = client.get(
        reverse("dashboard:channel_detail", args=[channel.pk]), HTTP_HOST="localhost:8103"
    ).content.decode()
    assert f"http://localhost:8103/webhooks/{channel.webhook_token}/" in page


@pytest.mark.django_db
def test_the_api_shows_the_webhook_url_of_the_request(api, alice, settings):
    settings.SKYLIGHT_PUBLIC_URL = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    channel = make_channel(alice)
    data = api.get(f"/api/v1/channels/{channel.pk}", HTTP_HOST="localhost:8103").json()["data"]
    assert data["webhook_url"] == f"http://localhost:8103/webhooks/{channel.webhook_token}/"


@pytest.mark.django_db
def test_each_setting_says_where_to_find_it_and_telegram_asks_no_phone(web, alice):
    url = reverse("dashboard:channel_new")
    twilio = web.get(url, {"provider": "twilio"}).content.decode()
    assert "Account Info › Account SID" in twilio and 'name="phone"' in twilio
    cloud = web.get(url, {"provider": "whatsapp_cloud"}).content.decode()
    assert "Phone number ID" in cloud and "API Setup" in cloud
    telegram = web.get(url, {"provider": "telegram_bot"}).content.decode()
    assert "@BotFather" in telegram and 'name="phone"' not in telegram
    data = {
        "provider": "telegram_bot",
        "name": "Shop bot",
        "type": "telegram",
        "is_active": "on",
        "config_bot_token": "123456:" + "A" * 30,
    }
    assert web.post(url, data).status_code == 302
    assert Channel.objects.get(account=alice).phone == ""
