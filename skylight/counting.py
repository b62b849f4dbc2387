"""Totals of large listings without counting a million rows on every page view.

Exact up to a cap (a COUNT over at most cap + 1 rows, cheap through any index that
filters); above it, PostgreSQL's planner estimate, flagged so pages say "about". SQLite
has no estimate and counts, which is fine at its scale.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class Total:
    value: int
    exact: bool


def total_of(queryset: QuerySet, cap: int | None = None) -> Total:
    """How many rows `queryset` holds: exact up to `cap`, else estimated (never below cap)."""
    cap = EXACT_UP_TO if cap is None else cap
    rows = queryset.order_by()
    counted = rows[: cap + 1].count()
    if counted <= cap:
        return Total(counted, True)
    if connection.vendor != "postgresql":
        return Total(rows.count(), True)
    return Total(max(planner_rows(rows), cap + 1), False)


def planner_rows(queryset: QuerySet) -> int:
    """The planner's estimate of the rows `queryset` returns (statistics, no scan)."""
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
