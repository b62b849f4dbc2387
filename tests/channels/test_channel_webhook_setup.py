"""`POST /channels/{id}/webhook`: one-click webhook set-up with each provider's API."""

import pytest

from channels.models import Channel
from tests.factories import make_channel
from tests.fakes.telegram import BOT_TOKEN


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.SKYLIGHT_PUBLIC_URL = "https://sky.example.com"


def setup(api, channel):
    return api.post(f"/api/v1/channels/{channel.pk}/webhook")


def test_telegram_gets_set_webhook_with_the_secret_and_allowed_updates(api, alice, fake_telegram):
    channel = make_channel(
        alice, type="telegram", provider="telegram_bot", config=fake_telegram.channel_config()
    )

    response = setup(api, channel)

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["webhook_url"] == channel.webhook_url
    request = fake_telegram.last
    assert request.path == f"/bot{BOT_TOKEN}/setWebhook"
    assert request.json() == {
        "url": f"https://sky.example.com/webhooks/{channel.webhook_token}/",
        "secret_token": channel.config["webhook_secret"],
        "allowed_updates": ["message", "my_chat_member"],
    }


def test_telegram_without_a_secret_gets_a_new_one_stored(api, alice, fake_telegram):
    config = {"bot_token": fake_telegram.channel_config()["bot_token"]}
    channel = make_channel(alice, type="telegram", provider="telegram_bot", config=config)

    assert setup(api, channel).status_code == 200

    stored = Channel.objects.get(pk=channel.pk).config["webhook_secret"]
    assert len(stored) >= 16 and fake_telegram.last.json()["secret_token"] == stored


def test_waha_session_config_gets_our_webhook_with_the_hmac_key(api, alice, fake_waha):
    fake_waha.session_config = {
        "webhooks": [{"url": "https://other.example/hook", "events": ["message"]}],
        "proxy": None,
    }
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())

    response = setup(api, channel)

    assert response.status_code == 200, response.json()
    key = Channel.objects.get(pk=channel.pk).config["webhook_hmac_key"]
    put = fake_waha.last
    assert (put.method, put.path) == ("PUT", "/api/sessions/default")
    assert put.json() == {
        "name": "default",
        "config": {
            "proxy": None,
            "webhooks": [
                {"url": "https://other.example/hook", "events": ["message"]},
                {
                    "url": channel.webhook_url,
                    "events": ["message", "message.ack", "session.status"],
                    "hmac": {"key": key},
                    "retries": {"policy": "exponential", "delaySeconds": 2, "attempts": 5},
                    "customHeaders": None,
                },
            ],
        },
    }


def test_waha_set_up_twice_keeps_one_entry_for_us(api, alice, fake_waha):
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    setup(api, channel)
    setup(api, channel)
    assert [hook["url"] for hook in fake_waha.session_config["webhooks"]] == [channel.webhook_url]


def test_evolution_gets_webhook_set_with_both_events(api, alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())

    response = setup(api, channel)

    assert response.status_code == 200, response.json()
    request = fake_evolution.last
    assert (request.method, request.path) == ("POST", "/webhook/set/skylight-test")
    assert request.json() == {
        "webhook": {
            "enabled": True,
            "url": channel.webhook_url,
            "events": ["MESSAGES_UPSERT", "MESSAGES_UPDATE", "CONNECTION_UPDATE"],
        }
    }


def test_a_non_https_public_url_is_refused_with_422(api, alice, fake_evolution, settings):
    settings.SKYLIGHT_PUBLIC_URL = "http://sky.example.com"
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())

    response = setup(api, channel)

    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False and "https" in body["errors"]["webhook_url"][0]
    assert fake_evolution.requests == []


def test_a_provider_without_an_api_for_it_is_422(api, alice, fake_whatsapp):
    channel = make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())

    response = setup(api, channel)

    assert response.status_code == 422
    assert channel.webhook_url in response.json()["errors"]["provider"][0]


def test_another_accounts_channel_is_404(bob_api, alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    assert setup(bob_api, channel).status_code == 404
    assert fake_evolution.requests == []


def test_the_endpoint_is_in_the_openapi_document(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = [path for path in schema["paths"] if path.endswith("/webhook")]
    assert paths and "post" in schema["paths"][paths[0]]
