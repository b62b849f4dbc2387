"""A first-time user's path, at desktop and phone widths, in English and in Arabic:
sign in, import contacts, create a campaign, start it. No console errors, nothing wider
than the screen, and the Arabic interface is right-to-left."""

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from tests.e2e.conftest import DESKTOP, PHONE, shoot, sign_in

# Arabic headers and local numbers: the mapping step guesses the columns, and the
# numbers are read in the country chosen on upload.
CSV = (
    "الاسم,جوال,city,notes\n"
    "نورة السالم,0501000001,الرياض,x\n"
    "Omar Haddad,0501000002,Jeddah,y\n"
    "مها فاروق,0501000003,الرياض,z\n"
)
OVERFLOW = "document.documentElement.scrollWidth > window.innerWidth"


def _fits(page, where):
    assert not page.evaluate(OVERFLOW), f"{where} scrolls sideways at {page.viewport_size}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_new_user_path(live_server, demo_user, new_page, console_errors, viewport, language):
    page = new_page(viewport, locale=language)
    page.on("dialog", lambda dialog: dialog.accept())
    base = live_server.url
    sign_in(page, base)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    _fits(page, "home")
    shoot(page, f"new-user-{language}-home")

    page.goto(f"{base}/contacts/import/")
    page.set_input_files(
        "#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.fill("#id_new_list", "عملاء الرياض")
    page.select_option("#id_default_country", "SA")
    page.locator("#import-panel button[type=submit]").click()
    mapping = page.locator("#import-mapping")
    expect(mapping).to_contain_text("Omar Haddad")
    expect(page.locator("#id_column_0")).to_have_value("name")
    expect(page.locator("#id_column_1")).to_have_value("phone")
    expect(page.locator("#id_default_country")).to_have_value("SA")
    page.select_option("#id_column_3", "ignore")
    _fits(page, "import mapping")
    shoot(page, f"new-user-{language}-import-mapping")
    mapping.locator("button[type=submit]").click()
    result = page.locator("#import-result")
    expect(result.locator(".stat").nth(0)).to_contain_text("3")
    _fits(page, "import")
    shoot(page, f"new-user-{language}-import")

    result.locator("a.btn-primary").click()
    expect(page.locator("#id_name")).to_be_visible()
    page.fill("#id_name", "عرض رمضان")
    page.select_option("#id_channel", label="Shop WhatsApp (console)")
    expect(page.locator("[data-enroll-count]")).to_have_text("3")
    page.fill("#msg-content-0", "{مرحبا|أهلا} {{first_name|there}}، لدينا عرض خاص.")
    preview = page.locator("#message-preview")
    expect(preview).to_contain_text("نورة، لدينا عرض خاص.")
    expect(preview).not_to_contain_text("{{")
    page.fill("#id_test_phone", "+966 50 100 0009")
    page.locator("#test-send button[type=submit]").click()
    expect(page.locator("[data-test-accepted]")).to_contain_text("console-")
    expect(page.locator("#test-send-result")).to_contain_text("+966501000009")
    _fits(page, "campaign form")
    shoot(page, f"new-user-{language}-campaign-form")
    page.locator("#campaign-form .form-actions button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text("عرض رمضان")
    campaign = Campaign.objects.get(name="عرض رمضان")
    page.locator("#campaign-actions button.btn-primary").click()
    expect(page.locator("#campaign-live")).to_have_attribute("data-live", "running")
    campaign.refresh_from_db()
    assert campaign.status == "running" and campaign.total_contacts == 3
    phones = sorted(campaign.contacts.values_list("contact__phone", flat=True))
    assert phones == ["+966501000001", "+966501000002", "+966501000003"]
    name_cell = page.locator("#campaign-contacts td[dir=auto]", has_text="نورة السالم")
    expect(name_cell).to_have_count(1)
    _fits(page, "campaign")
    shoot(page, f"new-user-{language}-campaign")
    assert console_errors == []
