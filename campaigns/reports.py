"""A campaign's report: outcomes per day and in total, rates, top failures, per-step funnel.

Two aggregate queries whatever the campaign's size (contact rows grouped by day, outcome
and failure reason; deliveries by step), plus two small reads; nothing is loaded row by
row. Each contact
counts on the local day it was reached (sent, failed or skipped), and its later
delivered/read/replied status counts on that same day: the days are cohorts, so every
day's funnel reads left to right. Totals equal the campaign's counters and its contacts
listing exactly (tests/campaigns/test_report.py).
"""

from collections import Counter, defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, Count, F, Max, Min, Q, Value, When
from django.db.models.functions import Coalesce, StrIndex, Substr, TruncDate

from campaigns.engine.sending import UNKNOWN_PREFIX
from campaigns.models import Campaign, CampaignContact, ContactStatus, Delivery

OUTCOMES = ("sent", "delivered", "read", "replied", "failed", "skipped", "opted_out")
RATES = ("delivered", "read", "replied", "failed", "opted_out")
TOP_FAILURES = 10
OPTED_OUT_SKIP = "Contact opted out before sending."
REACHED = (ContactStatus.SENT, ContactStatus.FAILED, ContactStatus.SKIPPED)
DELIVERED = (Delivery.Status.DELIVERED, Delivery.Status.READ)

# Failure reasons by how the engine words its errors (campaigns/engine/sending.py).
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


def _day_rows(campaign: Campaign):
    """(day, status, delivery_status, replied, opted_out, reason, code, count) of the
    reached contacts: one scan gives the days, the totals and the failures."""
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


def _days_totals_failures(campaign: Campaign) -> tuple[list[dict], dict, list[dict]]:
    by_day: dict[date | None, Counter] = defaultdict(Counter)
    failures: Counter = Counter()
    for day, status, delivery, replied, opted_out, reason, code, n in _day_rows(campaign):
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


def _steps(campaign: Campaign) -> list[dict]:
    """Per message of the sequence: how many were accepted, delivered and read."""
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
    found = {row["position"]: row for row in rows}
    # `messages` is usually prefetched with the campaign.
    positions = sorted({message.position for message in campaign.messages.all()} | set(found))
    empty = {"sent": 0, "delivered": 0, "read": 0}
    return [
        {"index": position, **{key: found.get(position, empty)[key] for key in empty}}
        for position in positions
    ]


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


def campaign_report(*, campaign: Campaign) -> dict:
    """The report of one campaign (see the module docstring); a handful of queries."""
    days, totals, failures = _days_totals_failures(campaign)
    return {
        "days": days,
        "totals": totals,
        "rates": _rates(totals),
        "failures": failures,
        "steps": _steps(campaign),
    }
