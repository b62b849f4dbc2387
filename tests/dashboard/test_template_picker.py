"""The message editor's template picker: approved templates of a WhatsApp Cloud API
channel with a business account id, one input per {{n}} variable (htmx partials)."""

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from tests.dashboard.helpers import htmx
from tests.factories import make_channel, make_contact, make_list
from tests.fakes.whatsapp import WABA_ID

PICKER = "dashboard:campaign_template_picker"


@pytest.fixture
def cloud(alice, fake_whatsapp):
    config = {**fake_whatsapp.channel_config(), "waba_id": WABA_ID}
    return make_channel(alice, name="Cloud", provider="whatsapp_cloud", config=config)


@pytest.mark.django_db
def test_the_picker_offers_approved_templates_only(web, cloud):
    page = htmx(web, "get", reverse(PICKER), {"channel": cloud.pk}).content.decode()

    assert "<html" not in page and "data-template-picker" in page
    assert '<option value="spring_offer|en_US">spring_offer (en_US)</option>' in page
    assert "order_update" not in page  # PAUSED
    assert 'name="message_param"' not in page


@pytest.mark.django_db
def test_choosing_a_template_gives_one_input_per_variable(web, cloud):
    data = {"channel": cloud.pk, "message_template": "spring_offer|en_US"}

    page = htmx(web, "get", reverse(PICKER), data).content.decode()

    assert '<option value="spring_offer|en_US" selected>' in page
    assert "Hi {{1}}, our {{2}} shop has a spring offer." in page
    assert page.count('name="message_param"') == 2
    assert 'name="message_param_count" value="2"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("provider", "config", "note"),
    [
        ("console", {}, "Templates need a WhatsApp Cloud API channel."),
        (
            "whatsapp_cloud",
            {"phone_number_id": "106540352242922", "access_token": "t"},
            "Set the channel&#x27;s WhatsApp Business Account ID",
        ),
    ],
)
def test_without_templates_the_picker_says_why(web, alice, provider, config, note):
    channel = make_channel(alice, provider=provider, config=config)
    page = htmx(web, "get", reverse(PICKER), {"channel": channel.pk}).content.decode()
    assert note in page and "<select" not in page


@pytest.mark.django_db
def test_another_accounts_channel_offers_nothing(web, bob, fake_whatsapp):
    config = {**fake_whatsapp.channel_config(), "waba_id": WABA_ID}
    theirs = make_channel(bob, provider="whatsapp_cloud", config=config)
    page = htmx(web, "get", reverse(PICKER), {"channel": theirs.pk}).content.decode()
    assert "spring_offer" not in page and "Pick the channel first" in page


@pytest.mark.django_db
def test_a_template_message_is_created_and_edited_from_the_form(web, alice, cloud):
    contact_list = make_list(alice, [make_contact(alice)])
    data = {
        "name": "Spring",
        "channel": cloud.pk,
        "lists": [contact_list.pk],
        "timezone": "UTC",
        "message_type": ["template", "text"],
        "message_content": ["", "Thanks {{first_name}}"],
        "message_caption": ["", ""],
        "message_filename": ["", ""],
        "message_template": ["spring_offer|en_US", ""],
        "message_param_count": ["2", "0"],
        "message_param": ["{{first_name|there}}", "{{attributes.city}}"],
    }

    response = web.post(reverse("dashboard:campaign_new"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(name="Spring")
    template, text = campaign.messages.order_by("position")
    assert (template.type, template.template_name, template.language) == (
        "template",
        "spring_offer",
        "en_US",
    )
    assert template.parameters == ["{{first_name|there}}", "{{attributes.city}}"]
    assert (text.type, text.content, text.template_name) == ("text", "Thanks {{first_name}}", "")

    page = web.get(reverse("dashboard:campaign_edit", args=[campaign.pk])).content.decode()
    assert '<option value="spring_offer|en_US" selected>' in page
    assert 'value="{{attributes.city}}"' in page
    assert f'name="template_channel" value="{cloud.pk}"' in page


@pytest.mark.django_db
def test_a_missing_variable_is_an_error_on_its_row(web, alice, cloud):
    contact_list = make_list(alice, [make_contact(alice)])
    data = {
        "name": "Spring",
        "channel": cloud.pk,
        "lists": [contact_list.pk],
        "timezone": "UTC",
        "message_type": ["template"],
        "message_content": [""],
        "message_caption": [""],
        "message_filename": [""],
        "message_template": ["spring_offer|en_US"],
        "message_param_count": ["2"],
        "message_param": ["{{first_name|there}}", ""],
    }

    page = web.post(reverse("dashboard:campaign_new"), data).content.decode()

    assert not Campaign.objects.exists()
    assert "Variable 2: This field may not be blank." in page
    assert '<option value="spring_offer|en_US" selected>' in page  # the choice is kept
