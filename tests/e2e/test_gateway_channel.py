"""Connecting a WAHA channel in a real browser: field help, connection check, webhook button."""

from playwright.sync_api import expect

from channels.models import Channel
from tests.e2e.conftest import sign_in
from tests.fakes import waha


def test_connect_check_and_set_up_a_waha_channel(
    live_server, demo_user, new_page, console_errors, fake_waha
):
    fake_waha.session_status = "SCAN_QR_CODE"
    page = new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/channels/new/?provider=waha")
    expect(page.get_by_text("WAHA_API_KEY", exact=False)).to_be_visible()
    page.fill("#id_name", "Sales WhatsApp")
    page.fill("#id_config_base_url", fake_waha.url)
    page.fill("#id_config_api_key", waha.API_KEY)
    page.get_by_role("button", name="Connect").click()

    expect(page.get_by_role("heading", name="Sales WhatsApp")).to_be_visible()
    page.get_by_role("button", name="Check connection").click()
    expect(page.locator("#connection-panel")).to_contain_text(
        "WhatsApp session is waiting for a QR scan"
    )

    fake_waha.session_status = "WORKING"
    page.get_by_role("button", name="Set up webhook").click()
    expect(page.locator("#webhook-panel")).to_contain_text("now posts message, message.ack")
    channel = Channel.objects.get(name="Sales WhatsApp")
    hook = fake_waha.session_config["webhooks"][0]
    assert hook["url"] == channel.webhook_url
    assert hook["hmac"] == {"key": channel.config["webhook_hmac_key"]}
    assert console_errors == []
