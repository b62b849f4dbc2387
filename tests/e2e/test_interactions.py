"""The live parts of the dashboard in a real browser: rule builder count, search, API keys."""

from playwright.sync_api import expect

from contacts.models import OptChange, Segment
from skylight.models import ApiKey
from tests.e2e.conftest import sign_in
from tests.factories import make_contact


def _alice_contacts(user):
    account = user.accounts.get()
    make_contact(account, name="Noura Saleh", attributes={"city": "Riyadh"})
    make_contact(account, name="Omar Haddad", attributes={"city": "Jeddah"})
    make_contact(account, name="Maha Farouk", attributes={"city": "Riyadh"})
    return account


def test_the_rule_builder_counts_members_as_you_type(
    live_server, demo_user, new_page, console_errors
):
    account = _alice_contacts(demo_user)
    page = new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/segments/new/")
    page.fill("#id_name", "Riyadh")
    row = page.locator(".cond-row").first
    row.get_by_label("Field").select_option("attributes")
    expect(row.get_by_label("Attribute key")).to_be_visible()
    expect(row.get_by_label("Operator").locator("option[value=before]")).to_be_disabled()
    row.get_by_label("Attribute key").fill("city")
    row.get_by_label("Value").fill("Riyadh")
    expect(page.locator("[data-member-count]")).to_have_text("2")
    page.get_by_role("button", name="Add condition").click()
    second = page.locator(".cond-row").nth(1)
    second.get_by_label("Field").select_option("name")
    second.get_by_label("Operator").select_option("contains")
    second.get_by_label("Value").fill("maha")
    expect(page.locator("[data-member-count]")).to_have_text("1")
    second.get_by_role("button", name="Remove this condition").click()
    expect(page.locator("[data-member-count]")).to_have_text("2")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("cell", name="Riyadh", exact=True)).to_be_visible()
    segment = Segment.objects.get(account=account)
    assert segment.rules["conditions"] == [
        {"field": "attributes.city", "op": "eq", "value": "Riyadh"}
    ]
    assert console_errors == []


def test_searching_and_opting_out_without_reloading(
    live_server, demo_user, new_page, console_errors
):
    _alice_contacts(demo_user)
    page = new_page()
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept("Asked by phone" if len(asked) == 1 else "Signed up again at the shop")

    page.on("dialog", answer)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_label("Search").fill("noura")
    expect(page.locator("#contact-results tbody tr")).to_have_count(1)
    assert "search=noura" in page.url
    row = page.locator("#contact-results tbody tr").first
    row.get_by_role("button", name="Opt Noura Saleh out").click()
    expect(row).to_contain_text("Opted out")
    page.get_by_label("Search").fill("")
    expect(page.locator("#contact-results tbody tr")).to_have_count(3)
    page.get_by_label("Opt-out").select_option("true")
    expect(page.locator("#contact-results tbody tr")).to_have_count(1)
    row = page.locator("#contact-results tbody tr").first
    row.get_by_role("button", name="Opt Noura Saleh back in").click()
    expect(row).to_contain_text("Subscribed")
    assert asked[0].startswith("Stop messaging") and asked[1].startswith("Send messages")
    changes = OptChange.objects.filter(contact__name="Noura Saleh").order_by("created_at")
    assert [(c.opted_out, c.reason) for c in changes] == [
        (True, "Asked by phone"),
        (False, "Signed up again at the shop"),
    ]
    assert changes[0].changed_by == demo_user
    assert console_errors == []


def test_an_api_key_is_shown_once_and_can_be_revoked(
    live_server, demo_user, new_page, console_errors
):
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/account/")
    page.fill("#id_name", "Zapier")
    page.get_by_role("button", name="Create key").click()
    raw = page.locator("#new-api-key").inner_text()
    key = ApiKey.objects.get(name="Zapier")
    assert key.matches(raw)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    page.reload()
    expect(page.locator("#new-api-key")).to_have_count(0)
    page.get_by_role("row", name="Zapier").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("row", name="Zapier")).to_contain_text("Revoked")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert console_errors == []


def test_switching_all_or_any_recounts_and_errors_sit_under_the_condition(
    live_server, demo_user, new_page, console_errors
):
    _alice_contacts(demo_user)
    page = new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/segments/new/")
    first = page.locator(".cond-row").first
    first.get_by_label("Field").select_option("name")
    first.get_by_label("Operator").select_option("contains")
    first.get_by_label("Value").fill("noura")
    expect(page.locator("[data-member-count]")).to_have_text("1")
    page.get_by_role("button", name="Add condition").click()
    second = page.locator(".cond-row").nth(1)
    second.get_by_label("Field").select_option("name")
    second.get_by_label("Operator").select_option("contains")
    second.get_by_label("Value").fill("omar")
    expect(page.locator("[data-member-count]")).to_have_text("0")
    page.get_by_label("Match").select_option("any")
    expect(page.locator("[data-member-count]")).to_have_text("2")

    second.get_by_label("Field").select_option("attributes")
    second.get_by_label("Attribute key").fill("")
    note = second.locator("[data-cond-error]")
    expect(note).to_have_text("Type the attribute's key, for example city.")
    expect(first.locator("[data-cond-error]")).to_be_hidden()
    expect(page.locator("#segment-preview")).not_to_contain_text("conditions.1")
    second.get_by_label("Attribute key").fill("city")
    expect(note).to_be_hidden()
    assert console_errors == []
