"""The dashboard at phone width (390 px) in a real browser: menu, tables, nothing clipped."""

import re

from playwright.sync_api import expect

from skylight.services import api_key_create
from tests.e2e.conftest import PHONE, sign_in


def test_the_navigation_folds_into_a_menu_that_reaches_account(
    live_server, demo_user, new_page, console_errors
):
    page = new_page(PHONE)
    sign_in(page, live_server.url)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    account = nav.get_by_role("link", name="Account")
    expect(account).to_be_visible()
    box = account.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    account.click()
    expect(page).to_have_url(re.compile("/account/$"))
    assert console_errors == []


def test_a_wide_table_shows_that_it_scrolls(live_server, demo_user, new_page, console_errors):
    api_key_create(account=demo_user.accounts.get(), name="Zapier integration")
    page = new_page(PHONE)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/account/")
    wraps = page.locator(".table-wrap")
    scrolling = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')]"
        ".filter(w => w.scrollWidth > w.clientWidth + 1)"
        ".map(w => w.hasAttribute('data-scrolls') && w.nextElementSibling.matches('.scroll-cue'))"
    )
    assert scrolling and all(scrolling), scrolling
    expect(wraps.first).to_be_visible()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert console_errors == []
