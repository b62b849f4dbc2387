"""A running campaign's page in a real browser: the live figures and the contacts table."""

import re

from django.core.management import call_command
from playwright.sync_api import expect

from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_start
from channels.models import Channel
from contacts.models import ContactList, ListMembership
from tests.e2e.conftest import sign_in
from tests.factories import make_contact


def _running_campaign(user, size=30):
    account = user.accounts.get()
    contacts = [make_contact(account, name=f"Person {i}") for i in range(size)]
    people = ContactList.objects.create(account=account, name="People")
    ListMembership.objects.bulk_create(
        ListMembership(contact_list=people, contact=contact) for contact in contacts
    )
    campaign = campaign_create(
        account=account,
        name="Live one",
        channel=Channel.objects.get(account=account),
        messages=[{"type": "text", "content": "Hi {{first_name|there}}"}],
        list_ids=[people.pk],
    )
    campaign_start(campaign=campaign)
    return campaign


def test_the_live_refresh_keeps_the_focused_button(
    live_server, demo_user, new_page, console_errors
):
    campaign = _running_campaign(demo_user, size=6)
    page = new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    pause = page.get_by_role("button", name="Pause")
    pause.focus()
    page.evaluate("window.focusedBefore = document.activeElement")
    call_command("send_cycle")
    campaign.refresh_from_db()
    assert campaign.sent_count > 0
    expect(page.locator("[data-sent]")).to_have_text(str(campaign.sent_count), timeout=15_000)
    assert page.evaluate(
        "document.activeElement === window.focusedBefore && document.activeElement.isConnected"
    )
    expect(pause).to_be_focused()
    assert console_errors == []


def test_contact_tabs_and_paging_push_urls_that_reload_to_the_same_view(
    live_server, demo_user, new_page, console_errors
):
    campaign = _running_campaign(demo_user, size=30)
    page = new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    contacts = page.locator("#campaign-contacts")
    contacts.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile("after="))
    expect(contacts.locator("tbody tr")).to_have_count(5)
    contacts.get_by_role("link", name="Pending").click()
    expect(contacts.get_by_role("link", name="Pending")).to_have_attribute("aria-current", "page")
    assert "status=pending" in page.url and "after=" not in page.url
    page.reload()
    tab = page.locator("#campaign-contacts").get_by_role("link", name="Pending")
    expect(tab).to_have_attribute("aria-current", "page")
    expect(page.locator("#campaign-contacts tbody tr")).to_have_count(25)
    assert console_errors == []


def test_a_poll_after_the_campaign_stopped_reloads_the_page(client, demo_user):
    campaign = _running_campaign(demo_user, size=2)
    Campaign.objects.filter(pk=campaign.pk).update(status="completed")
    client.force_login(demo_user)
    response = client.get(
        f"/campaigns/{campaign.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="campaign-live"
    )
    assert response["HX-Refresh"] == "true"


def test_the_contacts_table_and_its_tab_counts_follow_the_sends(
    live_server, demo_user, new_page, console_errors
):
    campaign = _running_campaign(demo_user, size=6)
    page = new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    contacts = page.locator("#campaign-contacts")
    sent_tab = contacts.get_by_role("link", name="Sent")
    expect(sent_tab.locator("[data-tab-count]")).to_have_text("0")
    expect(contacts.get_by_role("link", name="Pending").locator("[data-tab-count]")).to_have_text(
        "6"
    )
    call_command("send_cycle")
    campaign.refresh_from_db()
    sent = str(campaign.sent_count)
    expect(sent_tab.locator("[data-tab-count]")).to_have_text(sent, timeout=15_000)
    expect(contacts.locator("tbody .badge", has_text="Sent")).to_have_count(campaign.sent_count)
    assert console_errors == []
