"""The campaign form's enrollment preview on a WhatsApp Cloud API channel: open windows
counted, and a warning when the first step is free-form."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from channels.models import LastInbound
from tests.dashboard.helpers import htmx
from tests.factories import make_channel, make_contact, make_list


@pytest.mark.django_db
@pytest.mark.parametrize(("first_type", "warned"), [("text", True), ("template", False)])
def test_the_preview_counts_open_windows_and_warns_for_free_form(web, alice, first_type, warned):
    channel = make_channel(
        alice,
        provider="whatsapp_cloud",
        config={"phone_number_id": "106540352242922", "access_token": "t"},
    )
    people = [make_contact(alice) for _ in range(3)]
    LastInbound.objects.create(
        channel=channel, contact=people[0], at=datetime.now(UTC) - timedelta(hours=1)
    )
    data = {
        "channel": channel.pk,
        "lists": [make_list(alice, people).pk],
        "message_type": [first_type],
        "message_content": ["Hi"],
        "message_caption": [""],
        "message_filename": [""],
    }

    page = htmx(web, "post", reverse("dashboard:campaign_preview"), data).content.decode()

    assert "1 wrote to this number in the last 24 hours" in page
    warning = "only within 24 hours of the contact&#x27;s last message: 1 of 3 can receive this"
    assert (warning in page) is warned


@pytest.mark.django_db
def test_the_campaign_page_repeats_the_enrollment_warning(web, alice):
    from campaigns.services import campaign_create

    channel = make_channel(
        alice,
        provider="whatsapp_cloud",
        config={"phone_number_id": "106540352242922", "access_token": "t"},
    )
    people = [make_contact(alice) for _ in range(2)]
    campaign = campaign_create(
        account=alice,
        name="Free-form",
        channel=channel,
        messages=[{"type": "text", "content": "Hi"}],
        contact_ids=[p.pk for p in people],
    )

    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()

    assert "0 wrote in the 24 hours before it was created" in page
    assert "0 of 2 can receive this" in page
