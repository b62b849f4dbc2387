"""Keyset paging: the page after a known id, at constant cost at any depth.

The API's cursor (`campaigns/pagination.py`) and the dashboard's `?after=` links
(`campaigns/pages.py`) both page this way; only how they spell the position differs.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows, and the id to continue after (None on the last page)."""

    rows: list
    next_after: int | None


def keyset_page(rows, *, size: int, after: int = 0) -> KeysetPage:
    """The `size` rows of `rows` (ordered by id) with an id above `after`.

    One extra row is read to know whether another page follows, so no count is needed.
    """
    if after:
        rows = rows.filter(pk__gt=after)
    found = ids_first(rows, size + 1)
    page = found[:size]
    return KeysetPage(page, page[-1].pk if len(found) > size else None)


def ids_first(rows, count: int, offset: int = 0) -> list:
    """`rows[offset:offset + count]`, their ids chosen first by a query of ids only.

    The ids come from an index that holds the filter and the order (a campaign's
    (campaign, id)) without visiting the table; then the rows of those ids are read by
    primary key. Asked for whole rows in id order at once, PostgreSQL may walk the
    primary key past every other campaign's rows instead, and an `id IN (subquery)`
    form cost more to plan than to run (docs/benchmarks.md). Two cheap queries.
    """
    ids = list(rows.values_list("pk", flat=True)[offset : offset + count])
    return list(rows.filter(pk__in=ids)) if ids else []
