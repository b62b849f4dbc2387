"""Wording a first-time user reads: articles, capitalised names, a page for a 405."""

import pytest
from django.urls import reverse

from tests.factories import make_campaign, make_contact


@pytest.mark.django_db
def test_a_duplicate_phone_names_the_type_properly_and_links_to_the_contact(web, alice):
    existing = make_contact(alice, name="Noura", phone="+966501234567")
    page = web.post(
        reverse("dashboard:contact_new"), {"phone": "0096650 123 4567", "type": "whatsapp"}
    ).content.decode()
    assert "A WhatsApp contact with phone +966501234567 already exists" in page
    assert f'href="{reverse("dashboard:contact_edit", args=[existing.pk])}"' in page


@pytest.mark.django_db
def test_media_messages_take_the_right_article(api):
    from campaigns.serializers import MessageSerializer

    for kind, words in (("image", "An image"), ("video", "A video"), ("audio", "An audio")):
        serializer = MessageSerializer(data={"type": kind, "content": "not a url"})
        assert not serializer.is_valid()
        assert serializer.errors["content"][0].startswith(f"{words} message needs")


@pytest.mark.django_db
def test_opening_an_action_url_as_a_link_explains_itself(web, alice):
    campaign = make_campaign(alice)
    response = web.get(reverse("dashboard:campaign_action", args=[campaign.pk, "start"]))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "only takes a button press" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "draft"


@pytest.mark.django_db
def test_the_api_keeps_its_own_405(api):
    response = api.get("/api/v1/contacts/import")
    assert response.status_code == 405
    assert response.json()["success"] is False
