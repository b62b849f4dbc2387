"""Streaming a million rows as CSV: peak memory growth (target < 50 MB) and throughput.

Both exports read the twenty-day million (benchmarks/outcomes.py) through the API in
this process; the resident set size is sampled after every chunk and compared with
its size before the request.
"""

import time

from django.db import connection

from benchmarks import outcomes
from benchmarks.bench_campaign_reads import _client
from benchmarks.harness import report


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _stream(client, label: str, path: str) -> None:
    before = _rss_mb()
    start = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    peak, rows = before, -1  # the header line is not a row
    for block in response.streaming_content:
        rows += block.count(b"\n")
        peak = max(peak, _rss_mb())
    elapsed = time.perf_counter() - start
    report(f"export: {label}, {rows:,} rows, peak RSS growth (< 50 MB)", f"{peak - before:.1f} MB")
    report(f"export: {label}, rows per second", f"{rows / elapsed:,.0f}")


def main() -> None:
    if connection.vendor != "postgresql":
        print("  skipped: the export benchmark needs PostgreSQL (DATABASE_URL)")
        return
    data, campaign = outcomes.outcome_campaign()
    client = _client(data.account)
    _stream(client, "campaign contacts", f"/api/v1/campaigns/{campaign.pk}/contacts/export")
    _stream(client, "contacts", "/api/v1/contacts/export")
