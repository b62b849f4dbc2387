"""`make bench`: runs every benchmarks/bench_*.py module's `main()` and prints its figures.

`python -m benchmarks import enroll` runs only the modules whose names contain those words.
"""

import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks.harness import RESULTS, setup_django


def main(argv: list[str]) -> int:
    setup_django()
    from django.db import connection

    print(f"SkyLight benchmarks on {connection.vendor} ({connection.settings_dict['NAME']})")
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(Path(__file__).parent)])
        if module.name.startswith("bench_")
    )
    for name in names:
        if argv and not any(word in name for word in argv):
            continue
        print(f"\n[{name}]", flush=True)
        importlib.import_module(f"benchmarks.{name}").main()
    print("\nSummary")
    for label, figure in RESULTS:
        print(f"  {label:<70} {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
