"""Enrolling a million contacts from three overlapping lists, beside the raw SQL doing it.

The baseline is the bare `INSERT ... SELECT DISTINCT` of the same rows (same exclusions)
into a scratch campaign, run in the same process and database, in alternation with the
service (`campaign_create`: quota, messages, the enrollment statement and its summary).
The table is vacuumed before each run so neither inherits the other's dead rows.
"""

import statistics
import time

from django.db import connection, transaction

from benchmarks import fixtures
from benchmarks.harness import report

ROUNDS = 2


def _raw_enrollment(data) -> int:
    """The baseline: one INSERT ... SELECT DISTINCT into a fresh campaign; returns rows."""
    from campaigns.models import Campaign

    scratch = Campaign.objects.create(
        account=data.account, channel=data.channel, name="Benchmark: raw INSERT scratch"
    )
    lists = ", ".join(str(pk) for pk in data.list_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_campaigncontact "
            "(campaign_id, contact_id, status, attempts, provider_message_id, delivery_status, "
            "skip_reason) "
            "SELECT DISTINCT %s, m.contact_id, 'pending', 0, '', '', '' "
            "FROM contacts_listmembership m JOIN contacts_contact c ON c.id = m.contact_id "
            f"WHERE m.contact_list_id IN ({lists}) AND c.account_id = %s "
            "AND NOT c.opted_out AND c.type = 'whatsapp'",
            [scratch.pk, data.account.pk],
        )
        return cursor.rowcount


def _service_enrollment(data) -> int:
    from campaigns.services import campaign_create

    campaign = campaign_create(
        account=data.account,
        name="Benchmark: enrollment",
        channel=data.channel,
        messages=[{"type": "text", "content": "Hi {{name|there}}"}],
        list_ids=data.list_ids,
    )
    assert campaign.enrollment["opted_out"] == fixtures.EXCLUDED_EACH, campaign.enrollment
    assert campaign.enrollment["incompatible"] == fixtures.EXCLUDED_EACH, campaign.enrollment
    return campaign.total_contacts


def _cleanup(data) -> None:
    """Drops the benchmark's own campaigns (never the read benchmark's) and vacuums."""
    from campaigns.models import Campaign, CampaignContact
    from campaigns.services import campaign_delete

    leftovers = Campaign.objects.filter(account=data.account, name__startswith="Benchmark: ")
    for campaign in leftovers.exclude(name=fixtures.READ_CAMPAIGN_NAME):
        campaign_delete(campaign=campaign)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {CampaignContact._meta.db_table}")


def _timed_in_transaction(func, data) -> tuple[float, int]:
    start = time.perf_counter()
    with transaction.atomic():  # commit included: deferred FK checks run there
        rows = func(data)
    return time.perf_counter() - start, rows


def main() -> None:
    if connection.vendor != "postgresql":
        print("  skipped: the enrollment benchmark needs PostgreSQL (DATABASE_URL)")
        return
    data = fixtures.million_contacts()
    raw, service = [], []
    for _ in range(ROUNDS):
        for samples, func in ((raw, _raw_enrollment), (service, _service_enrollment)):
            _cleanup(data)
            seconds, rows = _timed_in_transaction(func, data)
            assert rows == fixtures.CONTACTS, rows
            samples.append(seconds)
            print(f"    {func.__name__}: {rows:,} rows in {seconds:.2f} s", flush=True)
    _cleanup(data)
    raw_s, service_s = statistics.median(raw), statistics.median(service)
    report("enrollment: raw INSERT ... SELECT DISTINCT of 1M rows (median)", f"{raw_s:.2f} s")
    report("enrollment: campaign_create enrolling 1M from 3 lists (median)", f"{service_s:.2f} s")
    report("enrollment: service / raw (target <= 1.3)", f"{service_s / raw_s:.2f}x")
