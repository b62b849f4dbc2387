"""Reading a million-contact campaign through the API, in-process (DRF test client).

GET /campaigns/{id}, then its contacts: page 1, a deep page by number (offset ~500,000)
and the same depth by cursor. Medians in ms, with the query count of each request.
"""

from django.db import connection

from benchmarks import fixtures
from benchmarks.harness import median_ms, report

REPEAT = 15
PER_PAGE = 25


def _client(account):
    from rest_framework.test import APIClient

    from skylight.services import api_key_create

    _, raw_key = api_key_create(account=account, name="Benchmark")
    return APIClient(SERVER_NAME="localhost", HTTP_X_API_KEY=raw_key)


def _deep_cursor(campaign) -> str:
    from campaigns.models import CampaignContact
    from campaigns.pagination import encode_cursor

    rows = CampaignContact.objects.filter(campaign=campaign).order_by("id")
    middle = rows.values_list("id", flat=True)[fixtures.CONTACTS // 2]
    return encode_cursor(middle)


def _measure(client, label: str, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        client.get(path)
    ms = median_ms(lambda: client.get(path), repeat=REPEAT)
    report(f"reads: {label} ({len(queries)} queries; target < 20 ms)", f"{ms:.1f} ms")


def main() -> None:
    if connection.vendor != "postgresql":
        print("  skipped: the read benchmark needs PostgreSQL (DATABASE_URL)")
        return
    data, campaign = fixtures.read_campaign()
    client = _client(data.account)
    base = f"/api/v1/campaigns/{campaign.pk}"
    deep_page = fixtures.CONTACTS // 2 // PER_PAGE
    _measure(client, "GET /campaigns/{id}", base)
    _measure(client, "contacts, page 1", f"{base}/contacts?per_page={PER_PAGE}")
    _measure(client, "contacts, page 100 of 100/page", f"{base}/contacts?per_page=100&page=100")
    _measure(
        client,
        f"contacts, deep page {deep_page:,} by number",
        f"{base}/contacts?per_page={PER_PAGE}&page={deep_page}",
    )
    _measure(
        client,
        "contacts, same depth by cursor",
        f"{base}/contacts?per_page={PER_PAGE}&cursor={_deep_cursor(campaign)}",
    )
    _measure(client, "contacts, status=pending page 1", f"{base}/contacts?status=pending")
