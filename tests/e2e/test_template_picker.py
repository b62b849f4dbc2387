"""The template picker in a real browser: pick a WhatsApp Cloud API channel, switch a
message to a template, choose one, fill its variables, also in a row added later."""

from playwright.sync_api import expect

from campaigns.models import Campaign
from channels.models import Channel
from contacts.models import Contact
from tests.e2e.conftest import sign_in
from tests.fakes.whatsapp import WABA_ID


def settled(page) -> None:
    """Every htmx request of the page answered and its swap settled."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_a_template_sequence_is_built_in_the_editor(
    live_server, demo_user, new_page, console_errors, fake_whatsapp
):
    account = demo_user.memberships.get().account
    Channel.objects.create(
        account=account,
        name="Cloud",
        type="whatsapp",
        provider="whatsapp_cloud",
        config={**fake_whatsapp.channel_config(), "waba_id": WABA_ID},
    )
    Contact.objects.create(account=account, name="Noura", phone="+966501000001")
    page = new_page()
    sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/campaigns/new/")
    page.fill("#id_name", "Spring")
    page.fill("#id_phones", "+966501000001")
    # Choosing the channel (like adding a row, below) asks the server for the row's picker;
    # an answer arriving after a pick replaced the picked picker, so pick once it is there,
    # as a person would (the app still lets an older answer win: a known race).
    with page.expect_response(lambda response: "template-picker" in response.url):
        page.select_option("#id_channel", label="Cloud (whatsapp_cloud)")
    settled(page)
    first = page.locator(".msg-row").nth(0)
    first.locator("[name=message_type]").select_option("template")
    picker = first.locator("[name=message_template]")
    expect(picker).to_be_visible()
    expect(first.locator("[name=message_content]")).to_be_hidden()
    picker.select_option("spring_offer|en_US")
    expect(first.locator("[name=message_param]")).to_have_count(2)
    first.locator("[name=message_param]").nth(0).fill("{{first_name|there}}")
    first.locator("[name=message_param]").nth(1).fill("Riyadh")

    with page.expect_response(lambda response: "template-picker" in response.url):
        page.get_by_role("button", name="Add message").click()
    settled(page)
    second = page.locator(".msg-row").nth(1)
    second.locator("[name=message_type]").select_option("template")
    second.locator("[name=message_template]").select_option("spring_offer|en_US")
    expect(second.locator("[name=message_param]")).to_have_count(2)
    second.locator("[name=message_param]").nth(0).fill("again")
    second.locator("[name=message_param]").nth(1).fill("Jeddah")
    page.get_by_role("button", name="Create draft").click()

    expect(page.locator("h1")).to_contain_text("Spring")
    campaign = Campaign.objects.get(name="Spring")
    assert [m.parameters for m in campaign.messages.order_by("position")] == [
        ["{{first_name|there}}", "Riyadh"],
        ["again", "Jeddah"],
    ]
    assert console_errors == []
