"""`GET /channels/{id}/templates`: the business's templates from Meta, cached."""

import pytest

from tests.factories import make_channel
from tests.fakes.whatsapp import WABA_ID


@pytest.fixture
def channel(alice, fake_whatsapp):
    config = {**fake_whatsapp.channel_config(), "waba_id": WABA_ID}
    return make_channel(alice, provider="whatsapp_cloud", config=config)


def listed(fake_whatsapp):
    return [r for r in fake_whatsapp.requests if r.path.endswith("/message_templates")]


def test_it_lists_templates_with_their_body_variables(api, channel, fake_whatsapp):
    response = api.get(f"/api/v1/channels/{channel.pk}/templates")

    assert response.status_code == 200, response.json()
    assert response.json()["data"][0] == {
        "name": "spring_offer",
        "language": "en_US",
        "status": "APPROVED",
        "category": "MARKETING",
        "body": "Hi {{1}}, our {{2}} shop has a spring offer.",
        "variables": [1, 2],
    }
    assert response.json()["data"][1]["status"] == "PAUSED"
    assert listed(fake_whatsapp)[0].query["fields"] == "name,language,status,category,components"


def test_the_list_is_cached_until_a_refresh_is_asked_for(api, channel, fake_whatsapp):
    api.get(f"/api/v1/channels/{channel.pk}/templates")
    api.get(f"/api/v1/channels/{channel.pk}/templates")
    assert len(listed(fake_whatsapp)) == 1

    api.get(f"/api/v1/channels/{channel.pk}/templates?refresh=1")
    assert len(listed(fake_whatsapp)) == 2


def test_without_a_business_account_id_it_is_422(api, alice, fake_whatsapp):
    channel = make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())

    response = api.get(f"/api/v1/channels/{channel.pk}/templates")

    assert response.status_code == 422 and "config.waba_id" in response.json()["errors"]


def test_other_providers_have_no_templates(api, alice, fake_waha):
    channel = make_channel(alice, provider="waha", config=fake_waha.channel_config())
    assert api.get(f"/api/v1/channels/{channel.pk}/templates").status_code == 422


def test_another_accounts_channel_is_404(bob_api, channel):
    assert bob_api.get(f"/api/v1/channels/{channel.pk}/templates").status_code == 404
