"""A business owner's day in a real browser: import, create, start, watch, pause, resume, cancel."""

import re

from django.core.management import call_command
from playwright.sync_api import expect

from campaigns.models import Campaign
from tests.e2e.conftest import PHONE, shoot, sign_in

CSV = (
    "name,phone,tags,city\n"
    "Noura Saleh,+966501000001,vip,Riyadh\n"
    "Omar Haddad,+966501000002,,Jeddah\n"
    "Maha Farouk,+966501000003,vip;latte,Riyadh\n"
    "Faisal Nasser,+966501000004,,Dammam\n"
    "Reem Mansour,+966501000005,latte,Riyadh\n"
    "Yousef Qureshi,not-a-phone,,Riyadh\n"
    "Sara Al-Otaibi,+966501000007,,Jeddah\n"
)


def nav(page, name):
    menu = page.get_by_role("button", name="Menu")  # the phone layout folds the navigation
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def _confirming(page, asked=None):
    """Accepts every confirmation dialog, noting its question in `asked`."""

    def accept(dialog):
        if asked is not None:
            asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return page


def test_from_csv_import_to_a_cancelled_campaign(live_server, demo_user, new_page, console_errors):
    base = live_server.url
    asked = []
    page = _confirming(new_page(), asked)
    sign_in(page, base)

    # Import a CSV into a new list.
    nav(page, "Contacts")
    page.get_by_role("link", name="Import CSV").click()
    page.set_input_files(
        "#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.fill("#id_new_list", "Coffee lovers")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#id_column_1")).to_have_value("phone")  # guessed from the header
    page.get_by_role("button", name="Import", exact=True).click()
    result = page.locator("#import-result")
    expect(result).to_contain_text("Import finished")
    expect(result.locator(".stat").nth(0)).to_contain_text("6")
    expect(result.locator(".stat").nth(2)).to_contain_text("1")
    expect(result.locator("table")).to_contain_text("not-a-phone")
    shoot(page, "import")

    # Create a campaign for the imported list, with a two-message sequence.
    result.get_by_role("link", name="Create a campaign for this list").click()
    expect(page.get_by_role("heading", name="New campaign")).to_be_visible()
    expect(page.get_by_label("Coffee lovers")).to_be_checked()
    page.fill("#id_name", "Ramadan offer")
    page.select_option("#id_channel", label="Shop WhatsApp (console)")
    expect(page.locator("[data-enroll-count]")).to_have_text("6")
    page.fill("#msg-content-0", "Reply STOP to unsubscribe.")
    page.get_by_role("button", name="Add message").click()
    page.locator("[name=message_type]").nth(1).select_option("image")
    page.locator("[name=message_content]").nth(1).fill("https://example.com/menu.jpg")
    page.locator("[name=message_caption]").nth(1).fill("{Hi|Hello} {{first_name|there}}!")
    page.get_by_role("button", name="Move message up").nth(1).click()
    page.get_by_role("button", name="Create draft").click()

    expect(page.locator("h1")).to_contain_text("Ramadan offer")
    expect(page.locator("h1 .badge")).to_have_text("Draft")
    campaign = Campaign.objects.get(name="Ramadan offer")
    assert list(campaign.messages.values_list("type", flat=True)) == ["image", "text"]
    assert campaign.total_contacts == 6

    # Start it, run a send cycle, and watch the live region update on its own.
    page.get_by_role("button", name="Start").click()
    expect(page.locator("h1 .badge")).to_have_text("Running")
    assert asked == ["Start sending to 6 contacts?"]
    expect(page.locator("[data-sent]")).to_have_text("0")
    call_command("send_cycle")
    campaign.refresh_from_db()
    assert campaign.sent_count > 0
    expect(page.locator("[data-sent]")).to_have_text(str(campaign.sent_count), timeout=15_000)
    bar = page.locator("#campaign-live [role=progressbar]")
    expect(bar).not_to_have_attribute("aria-valuenow", "0")
    expect(page.locator(".chart svg rect.bar-sent")).to_have_count(1)
    shoot(page, "campaign-running")

    nav(page, "Campaigns")
    row = page.locator(f"#campaign-{campaign.pk}")
    expect(row).to_contain_text("Running")
    expect(row).to_contain_text(f"{campaign.sent_count} / 2")
    expect(page.locator("#campaign-table")).to_have_attribute("hx-trigger", "every 5s")
    shoot(page, "flow-campaigns")
    row.get_by_role("link", name="Ramadan offer").click()

    # Pause, resume, cancel: each offers only the buttons its state allows.
    actions = page.locator("#campaign-actions")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("h1 .badge")).to_have_text("Paused")
    expect(actions.get_by_role("button")).to_have_text(["Resume", "Cancel campaign"])
    expect(page.locator("#campaign-live")).not_to_have_attribute("hx-trigger", re.compile("."))
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("h1 .badge")).to_have_text("Running")
    page.get_by_role("button", name="Cancel campaign").click()
    expect(page.locator("h1 .badge")).to_have_text("Cancelled")
    expect(actions.get_by_role("button")).to_have_text(["Delete"])
    assert len(asked) == 4 and asked[-1].startswith("Cancel this campaign for good?")
    campaign.refresh_from_db()
    assert campaign.status == "cancelled"

    assert console_errors == []


def test_the_flow_fits_a_phone(live_server, demo_user, new_page, console_errors):
    page = _confirming(new_page(PHONE))
    sign_in(page, live_server.url)
    nav(page, "Campaigns")
    expect(page.get_by_role("link", name="New campaign")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    assert console_errors == []
