"""Benchmark: the caseload and staff imports (contracts.md section 4), as a council's nightly extract runs them.

    .venv/bin/python bench/bench_import_lists.py [CHILDREN] [BIG_CHILDREN]

In a throwaway database (a temporary SQLite file, or with DATABASE_URL set a fresh test database on that server,
dropped afterwards), with the realistic example generators the import pages offer:

1. a 3,000-child caseload and a 200-person staff list imported as --full (target: both together under 10 s);
2. the same caseload imported again unchanged (target: writes nothing; the INSERT/UPDATE/DELETE statements run
   are counted, and must be 0);
3. a 50,000-child caseload imported as --full into that database (target: under 60 s).

Prints wall-clock and CPU seconds and the counts of each import.
"""

from __future__ import annotations

import sys
import time

from _common import setup_django, throwaway_database

setup_django(queue_celery=False, mail_in_memory=False)

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def timed(label: str, kind: str, data: bytes, *, full: bool = True):
    from imports.services import import_list_file

    started, cpu_started = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = import_list_file(kind, data, name=f"{kind}.csv", full=full)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if not result.ok:
        print("\n".join(str(p) for p in result.problems[:20]))
        raise SystemExit(f"{label}: the import reported problems")
    writes = sum(1 for q in queries.captured_queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE"))
    print(
        f"{label}: {result.rows_total:,} rows in {seconds:.2f} s ({cpu:.2f} s CPU); "
        f"{len(queries.captured_queries)} queries, {writes} writing; {result.warnings_total} warnings"
    )
    print("    " + " ".join(result.summary_lines()[1:4]))
    if "-v" in sys.argv:
        from collections import Counter

        print(Counter(" ".join(q["sql"].split()[:4])[:80] for q in queries.captured_queries).most_common(5))
    return seconds, writes


def main() -> int:
    from imports.examples import example_caseload, example_staff, list_header, tracker_csv

    numbers = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    children = numbers[0] if numbers else 3_000
    big = numbers[1] if len(numbers) > 1 else 50_000
    with throwaway_database("bench-import-lists"):
        teams = 150
        caseload = tracker_csv(
            example_caseload(children, seed=3, teams=teams, staff=200), list_header("caseload")
        ).encode()
        staff = tracker_csv(example_staff(200, seed=3, teams=teams), list_header("staff")).encode()
        first_caseload, _ = timed(f"Caseload of {children:,} children, first import", "caseload", caseload)
        first_staff, _ = timed("Staff list of 200 people, first import", "staff", staff)
        total = first_caseload + first_staff
        print(f"==> {children:,} children + 200 staff: {total:.2f} s (target < 10 s)")
        _, writes = timed("Same caseload again, unchanged", "caseload", caseload)
        print(f"==> unchanged re-import: {writes} writing statements (target 0)")
        _, writes = timed("Same staff list again, unchanged", "staff", staff)
        print(f"==> unchanged staff re-import: {writes} writing statements (target 0)")
        large = tracker_csv(example_caseload(big, seed=5, teams=teams, staff=200), list_header("caseload")).encode()
        seconds, _ = timed(f"Caseload of {big:,} children, --full", "caseload", large)
        print(f"==> {big:,} children: {seconds:.1f} s (target < 60 s)")
        ok = total < 10 and writes == 0 and seconds < 60
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
