"""Benchmark: import a 100,000-row spreadsheet tracker (contract: under a minute).

    .venv/bin/python bench/bench_import.py [ROWS]

Generates a tracker of ROWS allocations (default 100,000; ten years of a 40-team authority, every
practice-area column of the current template, with an ACTIONS file of about as many actions) as CSV
files in a temporary folder, then imports them into a throwaway database: a temporary SQLite file, or
with DATABASE_URL set a fresh test database on that server, dropped afterwards. It times the first
import (everything created), a re-import of the same files (nothing changes), and a re-import where a
tenth of the rows changed grade, and prints rows per second for each.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from _common import setup_django, throwaway_database

setup_django(queue_celery=False, mail_in_memory=False)

from django.db import connection  # noqa: E402


def timed_import(label: str, audits: Path, actions: Path) -> None:
    from imports.services import import_tracker_files

    started, cpu_started = time.perf_counter(), time.process_time()
    result = import_tracker_files(audits, actions, audits_name=audits.name, actions_name=actions.name)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if not result.ok:
        print("\n".join(str(p) for p in result.problems[:20]))
        raise SystemExit(f"{label}: the import reported problems")
    rows = result.rows["audits"]
    # CPU time is this process's own work (with SQLite, the database's too): on a shared machine the
    # wall-clock time also counts the time other processes held the CPU.
    print(
        f"{label}: {rows:,} audit rows + {result.rows['actions']:,} action rows in {seconds:.1f} s "
        f"({cpu:.1f} s of CPU in this process)"
    )
    print(f"    {rows / seconds:,.0f} audit rows per second ({result.rows_total / seconds:,.0f} rows per second)")
    print("    " + " ".join(result.summary_lines()[1:3]))


def main() -> int:
    from audits.models import Audit, PracticeArea
    from imports.examples import example_tracker, tracker_csv, tracker_header

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with throwaway_database("bench-import") as tmp:
        slugs = list(
            PracticeArea.objects.filter(template__is_current=True, template__programme__kind="monthly").values_list(
                "slug", flat=True
            )
        )
        started = time.perf_counter()
        audits, actions = example_tracker(count, seed=7, area_slugs=slugs)
        header = tracker_header(slugs)
        audits_path, actions_path = tmp / "AUDITS.csv", tmp / "ACTIONS.csv"
        audits_path.write_text(tracker_csv(audits, header), encoding="utf-8")
        actions_path.write_text(tracker_csv(actions), encoding="utf-8")
        size = audits_path.stat().st_size / 1e6
        print(
            f"Database: {connection.vendor}. Generated {count:,} audit rows ({size:.1f} MB, {len(slugs)} area "
            f"columns) and {len(actions):,} actions in {time.perf_counter() - started:.1f} s"
        )
        timed_import("First import", audits_path, actions_path)
        timed_import("Re-import, unchanged", audits_path, actions_path)
        # Good and Outstanding swap places in every tenth row: audits, moderations' outcomes and
        # final grades change, while no Child of Concern appears or goes.
        swap = {"GOOD": "OUTSTANDING", "OUTSTANDING": "GOOD"}
        for row in audits[::10]:
            row["auditor_grade"] = swap.get(row["auditor_grade"], row["auditor_grade"])
        audits_path.write_text(tracker_csv(audits, header), encoding="utf-8")
        timed_import("Re-import, a tenth changed", audits_path, actions_path)
        print(f"Audits in the database: {Audit.objects.count():,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
