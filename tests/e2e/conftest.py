"""Browser tests: Python playwright (sync API) driving Debian's chromium against live_server."""

import os
from pathlib import Path

import pytest

# The sync playwright API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told it is safe (the live server runs in its own thread anyway).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason="/usr/bin/chromium is not installed"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ConsoleErrors(list):
    """Console errors and uncaught exceptions of every page a test visits."""

    def watch(self, page):
        page.on(
            "console",
            lambda msg: self.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.append(f"{page.url}: {exc}"))
        return page


@pytest.fixture
def console_errors():
    return ConsoleErrors()


@pytest.fixture
def new_page(browser, console_errors):
    contexts = []

    def make(viewport=DESKTOP, locale=None):
        options = {"locale": locale} if locale else {}
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return console_errors.watch(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo_user(transactional_db):
    """A signed-up owner of one account (UTC), with a console channel."""
    from django.contrib.auth import get_user_model

    from channels.services import channel_create
    from skylight.services import account_create

    user = get_user_model().objects.create_user(username="owner", password="correct horse")
    account = account_create(name="Falcon Coffee", timezone_name="UTC", owner=user)
    channel_create(
        account=account,
        name="Shop WhatsApp",
        type="whatsapp",
        provider="console",
        phone="+966500000001",
    )
    return user


def sign_in(page, base_url, username="owner", password="correct horse"):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def shoot(page, name: str) -> None:
    """A viewport-sized PNG of the current page, named by page and width.

    Only under `make screenshots` (SKYLIGHT_SCREENSHOTS=1): a plain test run leaves
    docs/screenshots/ as committed.
    """
    if os.environ.get("SKYLIGHT_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    width = page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
