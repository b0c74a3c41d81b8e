"""Run every benchmark (bench/bench_*.py) against a fresh database and print the ratios.

    python -m bench.run            # all benchmarks
    python -m bench.run import     # only modules whose name contains "import"

Uses DATABASE_URL when set (PostgreSQL, as in production), else SQLite. Exits 1 when a
target is missed.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.db import connection

    # No setup_test_environment(): its instrumented template rendering would slow every
    # page and distort the ratios against the trivial page.
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    bench_dir = Path(__file__).parent
    modules = sorted(
        m.name
        for m in pkgutil.iter_modules([str(bench_dir)])
        if m.name.startswith("bench_") and (not argv or any(a in m.name for a in argv))
    )
    results = []
    try:
        print(f"database: {connection.vendor}; benchmarks: {', '.join(modules)}")
        for name in modules:
            module = importlib.import_module(f"bench.{name}")
            print(f"\n== {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
            for measurement in module.run():
                print(measurement.line(), flush=True)
                results.append(measurement)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    failed = [m for m in results if not m.ok]
    print(f"\n{len(results) - len(failed)}/{len(results)} targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
