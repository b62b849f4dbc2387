"""The campaign editor's live preview follows typing, adding and removing messages, and
"Send a test" answers in words, without leaving the page."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_the_preview_follows_the_sequence_and_a_test_answers_in_place(
    live_server, demo_user, new_page, console_errors
):
    page = new_page()
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/campaigns/new/")
    preview = page.locator("#message-preview")
    expect(preview).to_contain_text("Write a message to see it here.")

    page.fill("#msg-content-0", "{Hi|Hello} {{first_name|friend}}, see {{attributes.city|you}}")
    expect(preview.locator("li")).to_have_count(1)
    expect(preview).to_contain_text("Sara, see Riyadh")  # the sample contact
    expect(preview).not_to_contain_text("{Hi|Hello}")

    page.get_by_role("button", name="Add message").click()
    second = page.locator(".msg-row").nth(1)
    second.locator("textarea").fill("Second for {{name}}")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.locator("li").nth(1)).to_have_text("Second for Sara Ahmed")
    second.locator("[data-remove]").click()
    expect(preview.locator("li")).to_have_count(1)

    page.fill("#id_test_phone", "12")
    page.locator("#test-send button[type=submit]").click()
    expect(page.locator("[data-test-error]")).to_contain_text("Choose the channel")
    page.select_option("#id_channel", label="Shop WhatsApp (console)")
    page.locator("#test-send button[type=submit]").click()
    expect(page.locator("[data-test-error]")).to_contain_text("not a phone number")
    page.fill("#id_test_phone", "+966501234567")
    page.locator("#test-send button[type=submit]").click()
    expect(page.locator("[data-test-accepted]")).to_contain_text("Message 1 accepted")
    assert page.url == f"{base}/campaigns/new/"
    assert console_errors == []
