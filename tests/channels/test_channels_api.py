"""`/api/v1/channels`: CRUD across accounts, per-provider config validation, secrets."""

import pytest

from campaigns.models import Campaign
from channels.models import Channel
from tests.factories import make_channel
from tests.fakes.telegram import BOT_TOKEN
from tests.fakes.whatsapp import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN

WHATSAPP_CONFIG = {
    "phone_number_id": PHONE_NUMBER_ID,
    "access_token": ACCESS_TOKEN,
    "app_secret": APP_SECRET,
    "verify_token": VERIFY_TOKEN,
}


def create(api, **fields):
    body = {
        "name": "Main number",
        "type": "whatsapp",
        "provider": "whatsapp_cloud",
        "config": WHATSAPP_CONFIG,
        "phone": "+966 50 123 4567",
        **fields,
    }
    return api.post("/api/v1/channels", body, format="json")


def test_create_returns_the_channel_without_secrets(api, alice, settings):
    settings.SKYLIGHT_PUBLIC_URL = "https://sky.example.com"

    response = create(api)

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    channel = Channel.objects.get(pk=data["id"])
    assert channel.account == alice
    assert data["config"] == {"phone_number_id": PHONE_NUMBER_ID}
    assert data["phone"] == "+966501234567"
    assert data["webhook_url"] == f"https://sky.example.com/webhooks/{channel.webhook_token}/"
    assert data["created_at"].endswith("Z")
    assert channel.config["access_token"] == ACCESS_TOKEN
    assert ACCESS_TOKEN not in response.content.decode()


def test_secrets_never_appear_in_list_detail_or_account_channels(api):
    create(api)
    create(
        api,
        name="Bot",
        type="telegram",
        provider="telegram_bot",
        phone="",
        config={"bot_token": BOT_TOKEN, "webhook_secret": "x" * 20},
    )

    for url in ("/api/v1/channels", "/api/v1/account/channels"):
        body = api.get(url).content.decode()
        for secret in (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN, BOT_TOKEN, "x" * 20):
            assert secret not in body
    channel_id = Channel.objects.first().pk
    assert BOT_TOKEN not in api.get(f"/api/v1/channels/{channel_id}").content.decode()


@pytest.mark.parametrize(
    ("provider", "type", "config", "field"),
    [
        ("whatsapp_cloud", "whatsapp", {"access_token": "t"}, "config.phone_number_id"),
        (
            "whatsapp_cloud",
            "whatsapp",
            {"phone_number_id": "abc", "access_token": "t"},
            "config.phone_number_id",
        ),
        ("telegram_bot", "telegram", {"bot_token": "nope"}, "config.bot_token"),
        (
            "twilio",
            "sms",
            {"account_sid": "AC" + "0" * 32, "auth_token": "a" * 32},
            "config.from_number",
        ),
        (
            "twilio",
            "sms",
            {"account_sid": "XX", "auth_token": "a" * 32, "from_number": "+15005550006"},
            "config.account_sid",
        ),
        (
            "twilio",
            "sms",
            {"account_sid": "AC" + "0" * 32, "auth_token": "a" * 32, "from_number": "12"},
            "config.from_number",
        ),
        ("webhook", "sms", {"url": "ftp://x", "secret": "s" * 20}, "config.url"),
        ("webhook", "sms", {"url": "https://gw.example.com", "secret": "short"}, "config.secret"),
        (
            "webhook",
            "sms",
            {"url": "https://gw.example.com", "secret": "s" * 20, "extra": 1},
            "config.extra",
        ),
        ("console", "sms", {"anything": "x"}, "config.anything"),
        (
            "telegram_bot",
            "telegram",
            {"bot_token": BOT_TOKEN, "webhook_secret": "has spaces in it!!"},
            "config.webhook_secret",
        ),
    ],
)
def test_config_is_validated_per_provider(api, provider, type, config, field):
    response = create(api, provider=provider, type=type, config=config, phone="")

    assert response.status_code == 422
    assert field in response.json()["errors"], response.json()
    assert not Channel.objects.exists()


def test_config_must_be_an_object(api):
    response = create(api, config=["not", "an", "object"])
    assert response.status_code == 422
    assert "config" in response.json()["errors"]


def test_the_type_must_be_one_the_provider_serves(api):
    response = create(api, type="telegram")
    assert response.status_code == 422
    assert "type" in response.json()["errors"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"provider": "carrier_pigeon"}, "provider"),
        ({"type": "fax"}, "type"),
        ({"phone": "123"}, "phone"),
        ({"name": "x" * 200}, "name"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_fields_are_422(api, fields, field):
    response = create(api, **fields)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_foreign_and_missing_channels_are_404(api, bob):
    foreign = make_channel(bob)
    for method in ("get", "put", "patch", "delete"):
        assert (
            getattr(api, method)(f"/api/v1/channels/{foreign.pk}", {}, format="json").status_code
            == 404
        )
    assert (
        api.post(
            f"/api/v1/channels/{foreign.pk}/test", {"phone": "+966501234567"}, format="json"
        ).status_code
        == 404
    )
    assert api.get("/api/v1/channels/999999").status_code == 404
    assert api.get("/api/v1/channels/abc").status_code == 404
    assert Channel.objects.filter(pk=foreign.pk).exists()


def test_list_shows_only_the_accounts_channels(api, bob):
    create(api)
    make_channel(bob)
    data = api.get("/api/v1/channels").json()
    assert data["meta"]["total"] == 1
    assert api.get("/api/v1/channels?provider=console").json()["meta"]["total"] == 0


def test_patch_keeps_secrets_left_out_and_merges_config(api):
    channel_id = create(api).json()["data"]["id"]

    response = api.patch(
        f"/api/v1/channels/{channel_id}",
        {"name": "Renamed", "config": {"phone_number_id": "999999"}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    stored = Channel.objects.get(pk=channel_id)
    assert stored.name == "Renamed"
    assert stored.config == {**WHATSAPP_CONFIG, "phone_number_id": "999999"}


def test_put_replaces_config_but_keeps_secrets_left_out(api):
    channel_id = create(api).json()["data"]["id"]

    response = api.put(
        f"/api/v1/channels/{channel_id}",
        {
            "name": "Main",
            "type": "whatsapp",
            "provider": "whatsapp_cloud",
            "config": {"phone_number_id": "555555", "access_token": "new-token"},
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    stored = Channel.objects.get(pk=channel_id).config
    assert stored == {
        "phone_number_id": "555555",
        "access_token": "new-token",
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
    }


def test_changing_provider_validates_the_new_config(api):
    channel_id = create(api).json()["data"]["id"]

    response = api.patch(
        f"/api/v1/channels/{channel_id}", {"provider": "twilio", "type": "sms"}, format="json"
    )

    assert response.status_code == 422
    assert "config.account_sid" in response.json()["errors"]
    assert Channel.objects.get(pk=channel_id).provider == "whatsapp_cloud"


def test_delete_unused_channel(api, alice):
    channel = make_channel(alice)
    assert api.delete(f"/api/v1/channels/{channel.pk}").status_code == 204
    assert not Channel.objects.filter(pk=channel.pk).exists()


@pytest.mark.parametrize("status", ["running", "paused"])
def test_a_channel_of_a_running_or_paused_campaign_cannot_be_deleted(api, alice, status):
    channel = make_channel(alice)
    Campaign.objects.create(account=alice, channel=channel, name="Ramadan", status=status)

    response = api.delete(f"/api/v1/channels/{channel.pk}")

    assert response.status_code == 409
    assert "Ramadan" in response.json()["message"]
    assert Channel.objects.filter(pk=channel.pk).exists()


def test_a_channel_with_finished_campaigns_is_409_not_500(api, alice):
    channel = make_channel(alice)
    Campaign.objects.create(account=alice, channel=channel, name="Old", status="completed")
    response = api.delete(f"/api/v1/channels/{channel.pk}")
    assert response.status_code == 409
    assert "is_active" in response.json()["message"]


def test_list_query_count_does_not_grow(api, alice, django_assert_max_num_queries):
    for index in range(30):
        make_channel(alice, name=f"c{index}")
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/channels?per_page=100")
    assert len(response.json()["data"]) == 30


def test_the_type_cannot_change_under_campaigns(api, alice):
    channel = make_channel(alice)
    Campaign.objects.create(account=alice, channel=channel, name="Live", status="draft")

    response = api.patch(f"/api/v1/channels/{channel.pk}", {"type": "sms"}, format="json")

    assert response.status_code == 409
    assert Channel.objects.get(pk=channel.pk).type == "whatsapp"
    renamed = api.patch(f"/api/v1/channels/{channel.pk}", {"name": "Renamed"}, format="json")
    assert renamed.status_code == 200


def test_malformed_json_is_422_and_creates_nothing(api):
    response = api.post("/api/v1/channels", "{nope", content_type="application/json")
    assert response.status_code == 422
    assert not Channel.objects.exists()


def test_over_long_config_values_are_422(api):
    response = create(api, config={**WHATSAPP_CONFIG, "access_token": "x" * 5000})
    assert response.status_code == 422
    assert "config.access_token" in response.json()["errors"]
