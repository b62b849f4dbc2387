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
    """`rows[offset:offset + count]`, the ids chosen first in an inner query.

    The inner query reads only ids, so PostgreSQL takes them from an index that holds the
    filter and the order (e.g. a campaign's (campaign, id)) without visiting the table;
    asked for whole rows in id order, it may walk the primary key past every other
    campaign's rows instead (docs/benchmarks.md). One query all the same.
    """
    return list(rows.filter(pk__in=rows.values("pk")[offset : offset + count]))
