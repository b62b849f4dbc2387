"""A million-contact campaign's report through the API (target: under 1 s on PostgreSQL).

Twenty days of outcomes (benchmarks/outcomes.py); median of a few GET /report requests,
with their query count. The API reads the counts the triggers keep (campaigns/reports.py);
the same report from the live aggregate over the contact rows, its reference and the
figure before the counts, is timed beside it and must be equal.
"""

from django.db import connection

from benchmarks import outcomes
from benchmarks.bench_campaign_reads import _client
from benchmarks.harness import median_ms, report

REPEAT = 5


def main() -> None:
    if connection.vendor != "postgresql":
        print("  skipped: the report benchmark needs PostgreSQL (DATABASE_URL)")
        return
    data, campaign = outcomes.outcome_campaign()
    client = _client(data.account)
    path = f"/api/v1/campaigns/{campaign.pk}/report"
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    totals = response.json()["data"]["totals"]
    assert totals["sent"] == campaign.sent_count, (totals, campaign.sent_count)
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        client.get(path)
    ms = median_ms(lambda: client.get(path), repeat=REPEAT)
    label = f"report: GET /campaigns/{{id}}/report, 1M contacts ({len(queries)} queries; < 1 s)"
    report(label, f"{ms:.0f} ms")
    # The floor on this machine right now: one bare count of the same rows.
    report("report: baseline, bare SELECT count(*) of its 1M rows", f"{_count_ms(campaign):.0f} ms")
    _live_reference(campaign)


def _live_reference(campaign) -> None:
    from campaigns.reports import campaign_report

    counted = campaign_report(campaign=campaign)
    assert campaign_report(campaign=campaign, live=True) == counted, "counts differ from rows"
    ms = median_ms(lambda: campaign_report(campaign=campaign, live=True), repeat=3)
    report("report: the same from the live aggregate (reference; no counts)", f"{ms:.0f} ms")


def _count_ms(campaign) -> float:
    sql = "SELECT count(*) FROM campaigns_campaigncontact WHERE campaign_id = %s"

    def count():
        with connection.cursor() as cursor:
            cursor.execute(sql, [campaign.pk])
            cursor.fetchone()

    return median_ms(count, repeat=REPEAT)
