"""Peak memory of a 500,000-row CSV import: the file is streamed, never read whole.

Runs the import in a fresh child process (so earlier benchmarks do not hide its peak)
from a file on disk, as an upload spooled by Django is. Reports the growth of the
child's peak resident set (VmHWM) over its resident set just before the import.
Target: under 100 MB.
"""

import os
import subprocess
import sys
import tempfile
import time

from benchmarks.harness import report

ROWS = 500_000


def write_csv(path: str, rows: int = ROWS) -> int:
    """Writes the file line by line; returns its size in bytes."""
    cities = ["Riyadh", "Jeddah", "Dammam", "Mecca", "Medina"]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("name,phone,tags,city,plan\n")
        for n in range(rows):
            phone = "not-a-phone" if n % 50 == 0 else f"+9665{n:08d}"
            tags = "vip;lead" if n % 4 == 0 else ("lead" if n % 4 == 1 else "")
            out.write(f"Contact {n},{phone},{tags},{cities[n % 5]},p{n % 3}\n")
    return os.path.getsize(path)


def _kilobytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child(path: str) -> None:
    """In the child: import the file once and print 'baseline_kb peak_kb seconds counts'."""
    # The parent already pointed DATABASE_URL at the migrated bench database.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skylight.settings")
    import django

    django.setup()
    from contacts.importing import import_contacts_csv
    from skylight.models import Account
    from skylight.services import account_create

    Account.objects.filter(name="bench-import-memory").delete()
    account = account_create(name="bench-import-memory", timezone_name="UTC")
    baseline = _kilobytes("VmRSS")
    start = time.perf_counter()
    with open(path, "rb") as upload:
        result = import_contacts_csv(account=account, file=upload)
    elapsed = time.perf_counter() - start
    peak = _kilobytes("VmHWM")
    Account.objects.filter(pk=account.pk).delete()
    print(baseline, peak, f"{elapsed:.2f}", result.created, result.rejected)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "contacts.csv")
        size = write_csv(path)
        output = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from benchmarks.bench_import_memory import child; child({path!r})",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ},
        ).stdout.split()
    baseline, peak, seconds, created, rejected = output[-5:]
    growth_mb = (int(peak) - int(baseline)) / 1024
    report(f"import {ROWS:,} CSV rows ({size / 1e6:.0f} MB file) from disk", f"{seconds} s")
    report("  created / rejected", f"{created} / {rejected}")
    report("  peak RSS growth during the import (target < 100 MB)", f"{growth_mb:.0f} MB")
