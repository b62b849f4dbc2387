"""Forms in a real browser: the error summary takes focus and links to the fields."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_an_invalid_form_focuses_a_summary_that_links_to_the_field(
    live_server, demo_user, new_page, console_errors
):
    page = new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/contacts/new/")
    page.fill("#id_name", "Noura")
    page.fill("#id_phone", "12ab")
    page.get_by_role("button", name="Add contact").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Phone")
    expect(link).to_contain_text("not a phone number")
    link.click()
    expect(page.locator("#id_phone")).to_be_focused()
    assert console_errors == []
