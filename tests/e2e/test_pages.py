"""Every main page in a real browser, at desktop and phone widths: no console errors, and the
screenshots under docs/screenshots/ that the README shows."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from campaigns.models import Campaign
from campaigns.services import campaign_cancel, campaign_create, campaign_pause, campaign_start
from contacts.models import ContactList
from tests.e2e.conftest import DESKTOP, PHONE, shoot, sign_in

# Controls that stick out of their card (tables scroll inside their own box, so not them).
SPILLING = """
[...document.querySelectorAll('main input, main select, main textarea, main button')]
  .filter(el => !el.closest('.table-wrap') && el.type !== 'hidden' && el.offsetParent)
  .filter(el => {
    const box = (el.closest('.card') || document.querySelector('main')).getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.right > box.right + 1 || r.left < box.left - 1;
  })
  .map(el => el.outerHTML.slice(0, 80))
"""


@pytest.fixture
def demo(transactional_db):
    """The seed_demo account, with today's share of its running campaign sent."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    campaign = Campaign.objects.get(name="Spring Promo (demo)")
    zone = ZoneInfo(campaign.timezone)
    today = datetime.now(zone).date()
    end = datetime.combine(today, campaign.send_window_end, tzinfo=zone) - timedelta(minutes=2)
    if end < datetime.now(zone):  # a window that wraps past midnight ends tomorrow
        end += timedelta(days=1)
    call_command("send_cycle", "--now", end.isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115
    _more_campaigns(campaign)
    return campaign


def _more_campaigns(running):
    """A draft, a paused and a cancelled campaign beside the running one, for the list."""
    lists = list(ContactList.objects.filter(account=running.account).values_list("pk", flat=True))
    hello = [{"type": "text", "content": "Hello {{first_name|there}}!"}]
    made = {}
    for name in ("Cancelled teaser", "Loyalty week", "Eid greetings"):
        made[name] = campaign_create(
            account=running.account,
            name=name,
            channel=running.channel,
            messages=hello,
            list_ids=lists[:1],
            is_new_number=name == "Loyalty week",
        )
    campaign_start(campaign=made["Loyalty week"])
    campaign_pause(campaign=made["Loyalty week"])
    campaign_cancel(campaign=made["Cancelled teaser"])


def _main_pages(campaign):
    customers = ContactList.objects.get(account=campaign.account, name="Customers")
    return [
        ("home", "/"),
        ("campaigns", "/campaigns/"),
        ("campaign", f"/campaigns/{campaign.pk}/"),
        ("campaign-new", "/campaigns/new/"),
        ("contacts", "/contacts/"),
        ("contact-import", "/contacts/import/"),
        ("lists", "/lists/"),
        ("list", f"/lists/{customers.pk}/"),
        ("segments", "/segments/"),
        ("segment-edit", f"/segments/{campaign.account.segments.get().pk}/"),
        ("channels", "/channels/"),
        ("channel", f"/channels/{campaign.channel_id}/"),
        ("account", "/account/"),
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_have_no_console_errors(live_server, demo, new_page, console_errors, viewport):
    page = new_page(viewport)
    page.goto(f"{live_server.url}/login/")
    shoot(page, "sign-in")
    sign_in(page, live_server.url, "demo", "skylight-demo")
    for name, path in _main_pages(demo):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        expect(page.locator("main h1").first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{path} scrolls sideways at {viewport['width']}px"
        assert page.evaluate(SPILLING) == [], f"{path} at {viewport['width']}px"
        shoot(page, name)
    assert console_errors == []


def test_keyboard_users_see_where_focus_is(live_server, demo, new_page):
    page = new_page()
    sign_in(page, live_server.url, "demo", "skylight-demo")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.boxShadow + ' ' + s.outlineStyle; })()"
    )
    assert focused.strip() not in ("none none", "none"), focused
