"""CSV import of 100,000 contacts (2% bad rows, half tagged) through the service.

Target: under 30 s on PostgreSQL. A second run of the same file measures the update path;
then a four-condition segment is evaluated over the imported contacts.
"""

import io
import random
import time

from benchmarks.harness import report

ROWS = 100_000
BAD_EVERY = 50


def make_csv(rows: int = ROWS, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    lines = ["name,phone,tags,city,plan"]
    cities = ["Riyadh", "Jeddah", "Dammam", "Mecca", "Medina"]
    for n in range(rows):
        phone = "not-a-phone" if n % BAD_EVERY == 0 else f"+9665{n:08d}"
        tags = "vip;lead" if n % 4 == 0 else ("lead" if n % 4 == 1 else "")
        lines.append(f"Contact {n},{phone},{tags},{rng.choice(cities)},p{n % 3}")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    from contacts.importing import import_contacts_csv
    from contacts.models import Contact, ContactList
    from skylight.models import Account
    from skylight.services import account_create

    Account.objects.filter(name="bench-import").delete()
    account = account_create(name="bench-import", timezone_name="UTC")
    contact_list = ContactList.objects.create(account=account, name="Imported")
    data = make_csv()

    for label in ("first import (creates)", "second import (updates)"):
        start = time.perf_counter()
        result = import_contacts_csv(
            account=account, file=io.BytesIO(data), contact_list=contact_list
        )
        elapsed = time.perf_counter() - start
        report(f"import {ROWS:,} CSV rows, {label}", f"{elapsed:.2f} s")
        report(f"  rows per second, {label}", f"{ROWS / elapsed:,.0f}")
        report(
            f"  created / updated / rejected, {label}",
            f"{result.created} / {result.updated} / {result.rejected}",
        )
    total = Contact.objects.filter(account=account).count()
    report("contacts in the account after both imports", f"{total:,}")
    _time_segment(account, contact_list)
    Account.objects.filter(pk=account.pk).delete()


SEGMENT = {
    "match": "all",
    "conditions": [
        {"field": "tags", "op": "contains", "value": "vip"},
        {"field": "attributes.city", "op": "in", "value": ["Riyadh", "Jeddah"]},
        {"field": "list", "op": "exists", "value": True},
        {"field": "opted_out", "op": "eq", "value": False},
    ],
}


def _time_segment(account, contact_list) -> None:
    from benchmarks.harness import median_ms
    from contacts.segments import contacts_matching

    members = contacts_matching(account, SEGMENT)
    report("segment (tag, attribute in, list, opted_out) members", f"{members.count():,}")
    report(
        "  counting the segment's members over the imported contacts (median)",
        f"{median_ms(members.count, repeat=5):.1f} ms",
    )
    first_page = lambda: list(members.order_by("-id")[:25])  # noqa: E731
    report("  its first page of 25 (median)", f"{median_ms(first_page, repeat=5):.1f} ms")
