"""Meta's `message_template_status_update`: a template paused, disabled or rejected pauses
(by safety, with the reason) the running campaigns on that channel that send it, and the
cached templates listing is dropped."""

import pytest

from campaigns.models import Campaign, CampaignStatus, PausedBy
from campaigns.services import campaign_create, campaign_start
from channels.connection import channel_templates
from tests.factories import make_channel, make_contacts
from tests.fakes.whatsapp import WABA_ID, meta_signature, template_status_update

SPRING = {"type": "template", "template_name": "spring_offer", "language": "en_US"}
AUTUMN = {"type": "template", "template_name": "autumn_offer", "language": "en_US"}
TEXT = {"type": "text", "content": "Hi"}


@pytest.fixture
def cloud(alice, fake_whatsapp):
    config = {**fake_whatsapp.channel_config(), "waba_id": WABA_ID}
    return make_channel(alice, provider="whatsapp_cloud", config=config)


def running(account, channel, name, messages):
    people = make_contacts(account, 2)
    campaign = campaign_create(
        account=account,
        name=name,
        channel=channel,
        messages=messages,
        contact_ids=[p.pk for p in people],
    )
    return campaign_start(campaign=campaign)


def post(client, channel, body: bytes):
    return client.post(
        f"/webhooks/{channel.webhook_token}/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=meta_signature(body),
    )


@pytest.mark.parametrize("event", ["PAUSED", "DISABLED", "REJECTED"])
def test_an_unusable_template_pauses_the_campaigns_that_send_it(
    client, alice, cloud, fake_whatsapp, event
):
    spring = running(alice, cloud, "Spring", [TEXT, SPRING])
    autumn = running(alice, cloud, "Autumn", [AUTUMN])
    elsewhere = running(
        alice,
        make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config()),
        "Elsewhere",
        [SPRING],
    )

    response = post(
        client,
        cloud,
        template_status_update(
            "spring_offer",
            event,
            reason="INCORRECT_CATEGORY",
            other_info={"title": "FIRST_PAUSE", "description": "Low quality for 7 days."},
        ),
    )

    assert response.status_code == 200, response.content
    assert response.json()["campaigns_paused"] == 1
    spring.refresh_from_db()
    assert spring.status == CampaignStatus.PAUSED and spring.paused_by == PausedBy.SAFETY
    assert f"Meta {event.lower()} the WhatsApp template “spring_offer” (en_US)" in (
        spring.pause_reason
    )
    assert "INCORRECT_CATEGORY: Low quality for 7 days." in spring.pause_reason
    statuses = dict(Campaign.objects.values_list("pk", "status"))
    assert statuses[autumn.pk] == statuses[elsewhere.pk] == CampaignStatus.RUNNING


def test_the_api_shows_the_safety_pause_and_its_reason(client, alice, cloud, api):
    spring = running(alice, cloud, "Spring", [SPRING])
    post(client, cloud, template_status_update("spring_offer", "PAUSED"))

    data = api.get(f"/api/v1/campaigns/{spring.pk}").json()["data"]

    assert data["status"] == "paused" and data["paused_by"] == "safety"
    assert data["pause_reason"].startswith("Meta paused the WhatsApp template “spring_offer”")


@pytest.mark.parametrize(
    ("event", "language"), [("APPROVED", "en_US"), ("FLAGGED", "en_US"), ("PAUSED", "ar")]
)
def test_other_statuses_or_another_language_change_nothing(client, alice, cloud, event, language):
    spring = running(alice, cloud, "Spring", [SPRING])

    response = post(client, cloud, template_status_update("spring_offer", event, language))

    assert response.status_code == 200
    assert response.json()["campaigns_paused"] == 0
    spring.refresh_from_db()
    assert spring.status == CampaignStatus.RUNNING


def test_a_status_update_drops_the_cached_templates(client, cloud, fake_whatsapp):
    listed = lambda: [r for r in fake_whatsapp.requests if r.path.endswith("/message_templates")]  # noqa: E731
    channel_templates(channel=cloud)
    channel_templates(channel=cloud)
    assert len(listed()) == 1  # cached

    post(client, cloud, template_status_update("spring_offer", "APPROVED"))
    channel_templates(channel=cloud)

    assert len(listed()) == 2


def test_a_forged_status_update_is_refused(client, alice, cloud):
    spring = running(alice, cloud, "Spring", [SPRING])
    body = template_status_update("spring_offer", "DISABLED")
    response = client.post(
        f"/webhooks/{cloud.webhook_token}/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256="sha256=" + "0" * 64,
    )
    assert response.status_code == 403
    spring.refresh_from_db()
    assert spring.status == CampaignStatus.RUNNING
