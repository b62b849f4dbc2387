"""A campaign's report: outcomes per day and in total, rates, top failures, per-step funnel.

Each contact counts on the local day it was reached (sent, failed or skipped), and its
later delivered/read/replied status counts on that same day: the days are cohorts, so
every day's funnel reads left to right. Totals equal the campaign's counters and its
contacts listing exactly (tests/engine/test_report.py).

Two sources give the same rows (docs/architecture.md, "The campaign report"):

- On PostgreSQL, counts kept by triggers (campaigns migration 0010): `ReportDayCount`
  holds signed counts of reached contacts by (day, status, delivery status, replied,
  opted out, failure reason, HTTP code), `ReportStepCount` of deliveries by (position,
  sent, status). The report sums a few hundred rows instead of scanning a million, so
  its cost does not grow with the campaign. The triggers only append; a sweep every
  few minutes folds a campaign's rows into one per key once they are more than
  `SWEEP_AFTER` beyond its distinct keys (`report_counts_sweep`), and a read does the
  same past `COMPACT_AFTER` (`report_counts_compact`).
- Elsewhere (SQLite, development and embedded scale), the live aggregates over the
  contact rows and the deliveries: `live_day_rows` and `live_steps`. They are also the
  reference the triggers' SQL follows; tests/engine/test_report_counts.py compares both
  after real runs.

Either way a handful of queries whatever the campaign's size; nothing is loaded row by
row.
"""

from collections import Counter, defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, StrIndex, Substr, TruncDate

from campaigns.engine.sending import UNKNOWN_PREFIX
from campaigns.models import (
    Campaign,
    CampaignContact,
    ContactStatus,
    Delivery,
    ReportDayCount,
    ReportStepCount,
)

OUTCOMES = ("sent", "delivered", "read", "replied", "failed", "skipped", "opted_out")
RATES = ("delivered", "read", "replied", "failed", "opted_out")
TOP_FAILURES = 10
OPTED_OUT_SKIP = "Contact opted out before sending."
REACHED = (ContactStatus.SENT, ContactStatus.FAILED, ContactStatus.SKIPPED)
DELIVERED = (Delivery.Status.DELIVERED, Delivery.Status.READ)
DAY_KEY = ("day", "status", "delivery_status", "replied", "opted_out", "reason", "code")
STEP_KEY = ("position", "sent", "status")
COUNT_TABLES = {ReportDayCount: DAY_KEY, ReportStepCount: STEP_KEY}
# Rows beyond one per key that a campaign's counts may carry before a read compacts them
# (summing ten thousand small rows costs a few milliseconds), and before the sweep does.
COMPACT_AFTER = 10_000
SWEEP_AFTER = 1_000

# Failure reasons by how the engine words its errors (campaigns/engine/sending.py). The
# triggers of campaigns migration 0010 word them alike: a change here needs a migration.
FAILURE_REASONS = (
    (f"{UNKNOWN_PREFIX}the worker stopped", "worker_stopped"),
    (UNKNOWN_PREFIX, "outcome_unknown"),
    ("rejected: ", "rejected"),
    ("not accepted after", "not_accepted"),
)


def _replied_flag():
    """1 for a contact who replied. A seam: 0 until contacts record `replied_at`."""
    try:
        CampaignContact._meta.get_field("replied_at")
    except FieldDoesNotExist:
        return Value(0)
    return Case(When(replied_at__isnull=False, then=1), default=0)


def _opted_out_flag():
    """1 for a contact skipped because they opted out after enrollment."""
    return Case(When(status=ContactStatus.SKIPPED, error=OPTED_OUT_SKIP, then=1), default=0)


def _counted(live: bool) -> bool:
    """Whether to read the counts the triggers keep: on PostgreSQL, unless asked not to."""
    return not live and connection.vendor == "postgresql"


def _day_rows(campaign: Campaign, live: bool):
    """(day, status, delivery_status, replied, opted_out, reason, code, count) of the
    reached contacts, from the counts on PostgreSQL, else from the contact rows."""
    if _counted(live):
        return counted_day_rows(campaign)
    return live_day_rows(campaign)


def counted_day_rows(campaign: Campaign) -> list[tuple]:
    """`_day_rows` summed from the counts the triggers keep (PostgreSQL)."""
    rows = _counts(ReportDayCount, DAY_KEY, campaign.pk)
    _compact_if_piled_up(ReportDayCount, campaign.pk, rows, COMPACT_AFTER)
    return [row[:-1] for row in rows if row[-2]]


def live_day_rows(campaign: Campaign):
    """`_day_rows` from the contact rows: one scan gives the days, the totals and the
    failures. The reference the triggers' SQL follows."""
    reached_at = Coalesce("sent_at", "claimed_at")
    return (
        CampaignContact.objects.filter(campaign=campaign, status__in=REACHED)
        .annotate(
            day=TruncDate(reached_at, tzinfo=ZoneInfo(campaign.timezone or "UTC")),
            replied=_replied_flag(),
            opted_out=_opted_out_flag(),
            http_at=StrIndex("error", Value("HTTP ")),
        )
        .annotate(reason=_reason(), code=_http_code())
        .values_list("day", "status", "delivery_status", "replied", "opted_out", "reason", "code")
        .annotate(n=Count("id"))
        .order_by()
    )


def _add(counts: Counter, status: str, delivery: str, replied: int, opted_out: int, n: int):
    if status == ContactStatus.SENT:
        counts["sent"] += n
        counts["delivered"] += n if delivery in DELIVERED else 0
        counts["read"] += n if delivery == Delivery.Status.READ else 0
        counts["replied"] += n * replied
    else:
        counts[status] += n
    counts["opted_out"] += n * opted_out


def _days_totals_failures(campaign: Campaign, live: bool) -> tuple[list[dict], dict, list[dict]]:
    by_day: dict[date | None, Counter] = defaultdict(Counter)
    failures: Counter = Counter()
    for day, status, delivery, replied, opted_out, reason, code, n in _day_rows(campaign, live):
        _add(by_day[day], status, delivery, replied, opted_out, n)
        if status == ContactStatus.FAILED:
            failures[(reason, code)] += n
    totals = Counter()
    for counts in by_day.values():
        totals.update(counts)
    numbers = dict(campaign.days.values_list("date", "day_number"))
    days = [
        {
            "date": day,
            "campaign_day": numbers.get(day),
            **{key: by_day[day][key] for key in OUTCOMES},
        }
        for day in sorted(d for d in by_day if d is not None)
    ]
    return days, {key: totals[key] for key in OUTCOMES}, _top(failures)


def _top(failures: Counter) -> list[dict]:
    ranked = sorted(failures.items(), key=lambda item: (-item[1], item[0]))[:TOP_FAILURES]
    return [{"reason": reason, "code": code, "count": n} for (reason, code), n in ranked]


def _rates(totals: dict) -> dict:
    sent = totals["sent"]
    return {key: round(totals[key] / sent, 4) if sent else 0.0 for key in RATES}


def _reason():
    """The failure's kind, from how the engine words its errors; "" unless failed."""
    return Case(
        *(
            When(status=ContactStatus.FAILED, error__startswith=prefix, then=Value(reason))
            for prefix, reason in FAILURE_REASONS
        ),
        When(status=ContactStatus.FAILED, then=Value("other")),
        default=Value(""),
    )


def _http_code():
    """The HTTP status of a failure worded "... HTTP 400: ..." (needs `http_at`), else ""."""
    return Case(
        When(
            status=ContactStatus.FAILED,
            http_at__gt=0,
            then=Substr("error", F("http_at") + 5, 3),
        ),
        default=Value(""),
    )


def _steps(campaign: Campaign, live: bool) -> list[dict]:
    """Per message of the sequence: how many were accepted, delivered and read."""
    if _counted(live):
        found = counted_steps(campaign)
    else:
        found = live_steps(campaign)
    # `messages` is usually prefetched with the campaign.
    positions = sorted({message.position for message in campaign.messages.all()} | set(found))
    empty = {"sent": 0, "delivered": 0, "read": 0}
    return [
        {"index": position, **{key: found.get(position, empty)[key] for key in empty}}
        for position in positions
    ]


def counted_steps(campaign: Campaign) -> dict[int, dict]:
    """{position: {sent, delivered, read}} summed from the counts the triggers keep."""
    rows = _counts(ReportStepCount, STEP_KEY, campaign.pk)
    _compact_if_piled_up(ReportStepCount, campaign.pk, rows, COMPACT_AFTER)
    found: dict[int, Counter] = defaultdict(Counter)
    for position, sent, status, n, _ in rows:
        found[position]["deliveries"] += n
        found[position]["sent"] += n if sent else 0
        found[position]["delivered"] += n if status in DELIVERED else 0
        found[position]["read"] += n if status == Delivery.Status.READ else 0
    # A position with deliveries shows, as with the live aggregate, even if none was sent.
    return {position: counts for position, counts in found.items() if counts["deliveries"]}


def live_steps(campaign: Campaign) -> dict[int, dict]:
    """{position: {sent, delivered, read}} from the deliveries themselves (the reference)."""
    rows = (
        Delivery.objects.filter(_deliveries_of(campaign))
        .values("position")
        .annotate(
            sent=Count("id", filter=Q(sent_at__isnull=False)),
            delivered=Count("id", filter=Q(status__in=DELIVERED)),
            read=Count("id", filter=Q(status=Delivery.Status.READ)),
        )
        .order_by("position")
    )
    return {row["position"]: row for row in rows}


def _deliveries_of(campaign: Campaign) -> Q:
    """The campaign's deliveries, without joining its contact rows when it can.

    Enrolment inserts a campaign's rows in one statement, so their ids are usually one
    dense range: when the range holds exactly `total_contacts` ids (a counter kept
    exact), every id in it is this campaign's and a range filter replaces the join.
    """
    bounds = CampaignContact.objects.filter(campaign=campaign).aggregate(
        low=Min("id"), high=Max("id")
    )
    low, high = bounds["low"], bounds["high"]
    if low is not None and high - low + 1 == campaign.total_contacts:
        return Q(campaign_contact_id__gte=low, campaign_contact_id__lte=high)
    return Q(campaign_contact__campaign=campaign)


def _counts(model, key: tuple[str, ...], campaign_id: int) -> list[tuple]:
    """(*key, n, pieces) of one campaign's counts: each key's sum and its number of rows."""
    return list(
        model.objects.filter(campaign_id=campaign_id)
        .values_list(*key)
        .annotate(n=Sum("n"), pieces=Count("id"))
        .order_by()
    )


def _compact_if_piled_up(model, campaign_id: int, rows: list[tuple], allowed: int) -> bool:
    """Compacts the campaign's counts in `model`'s table when `rows` (from `_counts`)
    carry more than `allowed` rows beyond one per key; whether it did."""
    if sum(row[-1] for row in rows) - len(rows) <= allowed:
        return False
    report_counts_compact(campaign_id=campaign_id, models=(model,))
    return True


def report_counts_sweep() -> int:
    """Compacts the counts of every campaign that piled up more than `SWEEP_AFTER` rows
    beyond one per key; returns how many it compacted (PostgreSQL only).

    Every few minutes (the `skylight-report-counts` schedule), so counts appended by
    sends and status webhooks stay small even for campaigns nobody reads the report of.
    Campaigns with few rows are not even grouped.
    """
    if connection.vendor != "postgresql":
        return 0
    compacted = 0
    for model, key in COUNT_TABLES.items():
        crowded = (
            model.objects.values("campaign_id")
            .annotate(rows=Count("id"))
            .filter(rows__gt=SWEEP_AFTER)
            .order_by("campaign_id")
            .values_list("campaign_id", flat=True)
        )
        for campaign_id in crowded:
            rows = _counts(model, key, campaign_id)
            compacted += _compact_if_piled_up(model, campaign_id, rows, SWEEP_AFTER)
    return compacted


def report_counts_compact(*, campaign_id: int, models=tuple(COUNT_TABLES)) -> None:
    """Folds a campaign's report counts into one row per key (zeros dropped).

    Each table in one statement: the rows it deletes are the rows it sums, and rows
    appended meanwhile are left for next time, so the sums never change. Two compactions
    at once are safe too: the second skips the rows the first deleted.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            key = COUNT_TABLES[model]
            table = connection.ops.quote_name(model._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(name) for name in key)
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} WHERE campaign_id = %s "
                f"RETURNING {columns}, n) "
                f"INSERT INTO {table} (campaign_id, {columns}, n) "
                f"SELECT %s, {columns}, sum(n) FROM gone GROUP BY {columns} "
                "HAVING sum(n) <> 0",
                [campaign_id, campaign_id],
            )


def campaign_report(*, campaign: Campaign, live: bool = False) -> dict:
    """The report of one campaign (see the module docstring); a handful of queries.

    `live` aggregates the contact rows and deliveries even on PostgreSQL: the reference
    the counts are checked against (tests, the report benchmark).
    """
    days, totals, failures = _days_totals_failures(campaign, live)
    return {
        "days": days,
        "totals": totals,
        "rates": _rates(totals),
        "failures": failures,
        "steps": _steps(campaign, live),
    }
