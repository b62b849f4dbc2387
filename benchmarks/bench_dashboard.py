"""Dashboard pages on the million-contact account, rendered in-process (Django test client).

Whole pages as a signed-in member sees them, and the htmx regions they refresh. Medians
in ms with the query count of each request.
"""

from django.db import connection

from benchmarks import fixtures
from benchmarks.harness import median_ms, report

REPEAT = 7


def _client(account):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from skylight.models import Membership

    user, _ = get_user_model().objects.get_or_create(username="dashboard-bench")
    Membership.objects.get_or_create(account=account, user=user)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def _id_at(campaign, depth: int) -> int:
    from campaigns.models import CampaignContact

    rows = CampaignContact.objects.filter(campaign=campaign).order_by("id")
    return rows.values_list("id", flat=True)[depth]


def _measure(client, label: str, path: str, *, data=None, htmx=False) -> None:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    send = (
        (lambda: client.post(path, data, **headers))
        if data
        else lambda: client.get(path, **headers)
    )
    response = send()
    assert response.status_code == 200, response.content[:300]
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        send()
    ms = median_ms(send, repeat=REPEAT)
    report(f"dashboard: {label} ({len(queries)} queries)", f"{ms:.1f} ms")


def main() -> None:
    if connection.vendor != "postgresql":
        print("  skipped: the dashboard benchmark needs PostgreSQL (DATABASE_URL)")
        return
    data, campaign = fixtures.read_campaign()
    client = _client(data.account)
    detail = f"/campaigns/{campaign.pk}/"
    _measure(client, "campaigns list", "/campaigns/")
    _measure(client, "campaign page (1M enrolled)", detail)
    _measure(client, "campaign live region (poll)", detail, htmx=True)
    deep = _id_at(campaign, fixtures.CONTACTS // 2)
    _measure(
        client, "campaign contacts, 500,000 deep (region)", f"{detail}?after={deep}", htmx=True
    )
    _measure(client, "contacts page 1 (1M contacts)", "/contacts/")
    _measure(
        client, "contacts search by phone digits (region)", "/contacts/?search=5000123", htmx=True
    )
    # Every fixture name is "Contact <n>": a name search is as unselective as names get.
    _measure(
        client, "contacts search by name (region)", "/contacts/?search=Contact+777777", htmx=True
    )
    _measure(client, "contacts page 2,000 (1M contacts)", "/contacts/?page=2000")
    _measure(client, "lists page (1.3M memberships)", "/lists/")
    first_list = f"/lists/{data.list_ids[0]}/"
    _measure(client, "list page (450,000 members)", first_list)
    _measure(client, "list members search (region)", f"{first_list}?search=5000123", htmx=True)
    preview = {"channel": data.channel.pk, "lists": data.list_ids}
    _measure(
        client,
        "enrollment preview, 3 lists (region)",
        "/campaigns/preview/",
        data=preview,
        htmx=True,
    )
