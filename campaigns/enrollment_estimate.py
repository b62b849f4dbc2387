"""An estimate of the enrollment summary for large selections of lists (PostgreSQL).

Counting the distinct, opted-out and incompatible contacts of a million memberships
takes seconds; the campaign form asks on every change. Above a threshold the preview is
estimated instead, and the page says "about" (creating the campaign counts exactly).

Each list is sampled by rejection: random contact ids between the list's smallest and
largest member are probed against the membership index, so every member is equally
likely (unbiased, whatever the list's gaps). A sampled contact in k of the selected
lists stands for 1/k of a distinct contact, which turns per-list samples into
estimates of the union. A list too sparse in its id range to give enough hits makes
the estimate give up (None): the caller counts exactly.
"""

from django.db import connection
from django.db.models import Q

from contacts.models import Contact, ContactList, ListMembership, Suppression

ESTIMATE_ABOVE = 50_000  # memberships selected; below this the exact count is fast
PROBES = 600  # shared by the lists in proportion to their size
MIN_PROBES_PER_LIST = 100
MIN_HITS_PER_LIST = 40
SUPPRESSIONS_BY_ADDRESS = 5_000  # suppressed addresses looked up one by one, at most

_SAMPLE = """
WITH bounds AS (
    SELECT l.list_id, l.probes, b.lo, b.hi
    FROM unnest(%(lists)s::bigint[], %(probes)s::int[]) AS l(list_id, probes)
    CROSS JOIN LATERAL (
        SELECT min(contact_id) AS lo, max(contact_id) AS hi FROM {member}
        WHERE contact_list_id = l.list_id
    ) b
), hits AS (
    SELECT bounds.list_id, probe.contact_id FROM bounds
    CROSS JOIN LATERAL (
        SELECT bounds.lo + floor(random() * (bounds.hi - bounds.lo + 1))::bigint AS contact_id
        FROM generate_series(1, bounds.probes)
    ) probe
    WHERE EXISTS (
        SELECT 1 FROM {member} m
        WHERE m.contact_list_id = bounds.list_id AND m.contact_id = probe.contact_id
    )
)
SELECT hits.list_id,
       count(*),
       sum(1.0 / k.n),
       coalesce(sum(1.0 / k.n) FILTER (WHERE c.opted_out), 0),
       coalesce(sum(1.0 / k.n) FILTER (WHERE NOT c.opted_out AND c.type <> %(type)s), 0)
FROM hits
JOIN {contact} c ON c.id = hits.contact_id
CROSS JOIN LATERAL (
    SELECT count(*) AS n FROM {member} m
    WHERE m.contact_id = hits.contact_id AND m.contact_list_id = ANY(%(lists)s::bigint[])
) k
GROUP BY hits.list_id
"""


def _sample_sql() -> str:
    return _SAMPLE.format(member=ListMembership._meta.db_table, contact=Contact._meta.db_table)


def estimate_lists(*, account, channel_type: str, list_ids) -> dict | None:
    """The summary `enrollment.summarise` would give for these lists, estimated.

    None when an estimate is not worth it (a small selection), not possible (not
    PostgreSQL) or not reliable (a list too sparse to sample).
    """
    if connection.vendor != "postgresql" or not list_ids:
        return None
    lists = ContactList.objects.filter(account=account, pk__in=list_ids, members_count__gt=0)
    sizes = dict(lists.values_list("pk", "members_count"))
    requested = sum(sizes.values())
    if requested <= ESTIMATE_ABOVE:
        return None
    probes = [max(MIN_PROBES_PER_LIST, PROBES * size // requested) for size in sizes.values()]
    with connection.cursor() as cursor:
        params = {"lists": list(sizes), "probes": probes, "type": channel_type}
        cursor.execute(_sample_sql(), params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    totals = {"distinct": 0.0, "opted_out": 0.0, "incompatible": 0.0}
    for list_id, size in sizes.items():
        hits, distinct, opted_out, incompatible = rows.get(list_id, (0, 0, 0, 0))
        if hits < MIN_HITS_PER_LIST:
            return None
        totals["distinct"] += size * float(distinct) / hits
        totals["opted_out"] += size * float(opted_out) / hits
        totals["incompatible"] += size * float(incompatible) / hits
    return _rounded(requested, totals, _suppressed_in(account, channel_type, list(sizes)))


def _suppressed_in(account, channel_type: str, list_ids: list[int]) -> int:
    """Contacts of the lists whose address is suppressed: counted exactly, from the
    suppression list's side (it is short next to the lists). The suppressed contacts
    are found by address through the contact indexes (phone, provider address), and only
    they are checked against the lists; a list of over `SUPPRESSIONS_BY_ADDRESS`
    addresses is joined in SQL instead."""
    addresses = list(
        Suppression.objects.filter(account=account, channel_type=channel_type).values_list(
            "address", flat=True
        )[: SUPPRESSIONS_BY_ADDRESS + 1]
    )
    if not addresses:
        return 0
    contacts = Contact.objects.filter(account=account, type=channel_type)
    if len(addresses) > SUPPRESSIONS_BY_ADDRESS:
        entries = Suppression.objects.filter(account=account, channel_type=channel_type)
        matched = contacts.filter(
            Q(phone__in=entries.values("address")) | Q(external_id__in=entries.values("address"))
        ).values("pk")
    else:
        by_phone = contacts.filter(phone__in=addresses).values_list("pk", flat=True)
        by_address = contacts.filter(external_id__in=addresses).values_list("pk", flat=True)
        matched = {*by_phone, *by_address}
        if not matched:
            return 0
        matched = list(matched)
    members = ListMembership.objects.filter(contact_list_id__in=list_ids, contact_id__in=matched)
    return members.values("contact_id").distinct().count()


def _rounded(requested: int, totals: dict, suppressed: int = 0) -> dict:
    distinct = min(round(totals["distinct"]), requested)
    opted_out, incompatible = round(totals["opted_out"]), round(totals["incompatible"])
    # A suppressed contact is opted out too: the exact summary counts it as suppressed.
    opted_out = max(opted_out - suppressed, 0)
    return {
        "requested": requested,
        "enrolled": max(distinct - opted_out - incompatible - suppressed, 0),
        "duplicates": requested - distinct,
        "opted_out": opted_out,
        "incompatible": incompatible,
        "suppressed": suppressed,
        "estimated": True,
    }
