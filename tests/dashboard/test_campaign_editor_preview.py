"""The campaign editor's live message preview and "Send a test" (real HTTP to a fake)."""

import pytest
from django.urls import reverse

from campaigns.models import CampaignContact, Delivery
from skylight.models import AuditEvent
from tests.dashboard.helpers import htmx
from tests.factories import make_campaign, make_channel, make_contact, make_list


def _editor(channel=None, **overrides):
    data = {
        "name": "Autumn offer",
        "timezone": "UTC",
        "message_type": ["text", "image"],
        "message_content": [
            "{Hi|Hello|Hey} {{first_name|there}}, welcome to {{attributes.city|your city}}",
            "https://example.com/menu.jpg",
        ],
        "message_caption": ["", "Menu for {{name}}"],
        "message_filename": ["", ""],
    }
    if channel is not None:
        data["channel"] = channel.pk
    data.update(overrides)
    return data


@pytest.fixture
def whatsapp(alice, fake_whatsapp):
    return make_channel(alice, provider="whatsapp_cloud", config=fake_whatsapp.channel_config())


# --- preview -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_new_campaign_page_previews_for_a_sample_contact_when_there_is_none(web, alice):
    page = web.get(reverse("dashboard:campaign_new")).content.decode()
    assert 'id="message-preview"' in page and "For a sample contact, Sara Ahmed" in page
    response = htmx(web, "post", reverse("dashboard:campaign_message_preview"), _editor())
    page = response.content.decode()
    assert "<html" not in page and 'id="message-preview"' in page
    assert "Sara, welcome to Riyadh" in page
    assert any(f"{word} Sara, welcome" in page for word in ("Hi", "Hello", "Hey"))
    assert "{Hi|Hello|Hey}" not in page and "{{" not in page
    assert "Menu for Sara Ahmed" in page and "https://example.com/menu.jpg" in page


@pytest.mark.django_db
def test_the_preview_uses_a_real_contact_and_fills_empty_placeholders_with_defaults(web, alice):
    make_contact(alice, name="نورة السالم", attributes={})
    page = htmx(
        web, "post", reverse("dashboard:campaign_message_preview"), _editor()
    ).content.decode()
    assert "As نورة السالم would get it" in page
    assert "نورة, welcome to your city" in page
    assert 'dir="auto"' in page


@pytest.mark.django_db
def test_the_edit_page_previews_for_an_enrolled_contact(web, alice):
    make_contact(alice, name="Not enrolled")
    campaign = make_campaign(alice, size=2)
    first = CampaignContact.objects.filter(campaign=campaign).order_by("pk").first().contact
    page = web.get(reverse("dashboard:campaign_edit", args=[campaign.pk])).content.decode()
    assert f"Hi {first.name}" in page  # the saved message, rendered on load
    url = reverse("dashboard:campaign_message_preview", args=[campaign.pk])
    page = htmx(web, "post", url, _editor(message_content=["Yo {{name}}", "x"])).content.decode()
    assert f"Yo {first.name}" in page


@pytest.mark.django_db
def test_the_preview_is_triggered_on_input_without_inline_script_or_eval(web, alice):
    page = web.get(reverse("dashboard:campaign_new")).content.decode()
    assert 'hx-trigger="input delay:700ms from:#message-sequence' in page
    assert "hx-trigger" in page and "[" + "event" not in page
    assert "<script>" not in page


@pytest.mark.django_db
def test_another_accounts_draft_cannot_be_previewed(web, bob):
    campaign = make_campaign(bob)
    url = reverse("dashboard:campaign_message_preview", args=[campaign.pk])
    assert web.post(url, _editor()).status_code == 404


# --- send a test ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_test_goes_through_the_chosen_channel_rendered_and_counts_nothing(
    web, alice, whatsapp, fake_whatsapp
):
    make_contact(alice, name="Omar Haddad", phone="+966501234567", attributes={"city": "Jeddah"})
    data = _editor(whatsapp, test_phone="+966 50 123 4567")
    response = htmx(web, "post", reverse("dashboard:campaign_test_send"), data)
    page = response.content.decode()
    assert 'id="test-send-result"' in page and "<html" not in page
    assert "Message 1 accepted by the provider (id wamid.FAKE" in page
    assert "Message 2 accepted" in page
    text, image = (request.json() for request in fake_whatsapp.requests[-2:])
    assert text["to"] == "966501234567"
    assert text["text"]["body"].endswith("Omar, welcome to Jeddah")  # rendered for that contact
    assert image["image"]["link"] == "https://example.com/menu.jpg"
    assert image["image"]["caption"] == "Menu for Omar Haddad"
    assert not CampaignContact.objects.exists() and not Delivery.objects.exists()
    assert AuditEvent.objects.filter(action="campaign.test_sent").exists()


@pytest.mark.django_db
def test_a_draft_sends_its_test_through_its_own_channel(web, alice, whatsapp, fake_whatsapp):
    campaign = make_campaign(alice, size=2, channel=whatsapp)
    before = (campaign.total_contacts, CampaignContact.objects.count())
    url = reverse("dashboard:campaign_test_send", args=[campaign.pk])
    page = htmx(web, "post", url, _editor(test_phone="+966501234599")).content.decode()
    assert "Message 1 accepted" in page, page
    assert fake_whatsapp.last.json()["to"] == "966501234599"
    campaign.refresh_from_db()
    assert (campaign.total_contacts, CampaignContact.objects.count()) == before
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_provider_refusal_is_said_in_words_and_stops_the_sequence(
    web, alice, whatsapp, fake_whatsapp
):
    fake_whatsapp.then("rejected")
    data = _editor(whatsapp, test_phone="+966501234567")
    page = htmx(web, "post", reverse("dashboard:campaign_test_send"), data).content.decode()
    assert "Message 1 was not sent:" in page and "permanent" in page
    assert "Message 2" not in page and len(fake_whatsapp.requests) == 1


@pytest.mark.django_db
def test_a_local_number_is_read_in_the_accounts_country(web, alice, whatsapp, fake_whatsapp):
    alice.default_country = "SA"
    alice.save()
    data = _editor(whatsapp, test_phone="0551112234")
    page = htmx(web, "post", reverse("dashboard:campaign_test_send"), data).content.decode()
    assert "Sent to +966551112234" in page
    assert fake_whatsapp.last.json()["to"] == "966551112234"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"test_phone": "12"}, "not a phone number"),
        ({"test_phone": "+966501234567", "channel": ""}, "Choose the channel"),
        ({"test_phone": "+966501234567", "message_content": ["", "x"]}, ""),
    ],
)
def test_nothing_is_sent_without_a_phone_a_channel_and_valid_messages(
    web, alice, whatsapp, fake_whatsapp, overrides, says
):
    data = {**_editor(whatsapp), **overrides}
    page = htmx(web, "post", reverse("dashboard:campaign_test_send"), data).content.decode()
    assert "data-test-error" in page and says in page
    assert not fake_whatsapp.requests


@pytest.mark.django_db
def test_test_sends_are_limited_per_account(web, alice, whatsapp, fake_whatsapp, settings):
    settings.SKYLIGHT_TEST_SENDS_PER_MINUTE = 2
    data = _editor(whatsapp, test_phone="+966501234567", message_type=["text"])
    data["message_content"], data["message_caption"] = ["Hi"], [""]
    data["message_filename"] = [""]
    url = reverse("dashboard:campaign_test_send")
    pages = [htmx(web, "post", url, data).content.decode() for _ in range(3)]
    assert "accepted" in pages[1] and "Too many test sends" in pages[2]
    assert len(fake_whatsapp.requests) == 2


@pytest.mark.django_db
def test_without_javascript_the_test_answers_with_the_whole_editor(
    web, alice, whatsapp, fake_whatsapp
):
    make_list(alice, [make_contact(alice)])
    response = web.post(
        reverse("dashboard:campaign_test_send"), _editor(whatsapp, test_phone="+966501234567")
    )
    page = response.content.decode()
    assert "<html" in page and 'id="campaign-form"' in page
    assert "Message 1 accepted" in page and 'value="+966501234567"' in page


@pytest.mark.django_db
def test_a_disconnected_gateway_sends_no_test(web, alice, fake_evolution):
    channel = make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())
    fake_evolution.state = "close"
    data = _editor(channel, test_phone="+966501234567")
    page = htmx(web, "post", reverse("dashboard:campaign_test_send"), data).content.decode()
    assert "data-test-error" in page and "nothing was sent" in page
    assert fake_evolution.sends == []
    fake_evolution.state = "open"
    page = htmx(web, "post", reverse("dashboard:campaign_test_send"), data).content.decode()
    assert "Message 2 accepted" in page and len(fake_evolution.sends) == 2
