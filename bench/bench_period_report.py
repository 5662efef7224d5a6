"""Benchmark: the period report over 12 months for a 40-team authority, with one year and ten years of history.

    .venv/bin/python bench/bench_period_report.py

Builds the same authority as bench_report.py (its `build`: 40 teams, 100 allocations a month, a quarter
moderated, actions, Children of Concern, area grades) in a throwaway database, once with 12 months of
history and once with 120, then times `period_figures` for the 12 months ending at the report month
(contracts.md section 3, all programmes) and the period report's web page, and counts their queries.
Targets: the figures and the page under 1 s, and no slower with ten years than with one.
"""

from __future__ import annotations

import os
import random
import sys
import time

from _common import throwaway_database

# Importing bench_report sets Django up (its setup_django()) and gives its authority builder and timer.
from bench_report import REPORT_MONTH, SIZES, TEAMS, build, timed
from django.db import connection
from django.test import Client
from django.urls import reverse

TARGET_SECONDS = 1.0


def measure(label: str, months: int) -> dict[str, float]:
    from common.periods import add_months, month_key
    from reports.period import period_figures

    start = time.perf_counter()
    data = build(months, random.Random(2026))
    print(
        f"{label:>8}: {TEAMS} teams, {months} months, {data['audits']} audits "
        f"(built in {time.perf_counter() - start:.1f} s)"
    )
    first = add_months(REPORT_MONTH, -11)
    client = Client()
    client.force_login(data["quality"])
    page_url = reverse("reports:period") + f"?from_month={month_key(first)}&to_month={month_key(REPORT_MONTH)}"

    def page():
        response = client.get(page_url)
        assert response.status_code == 200, response.status_code

    results = {}
    for name, fn in (
        ("period_figures (12 months)", lambda: period_figures(first, REPORT_MONTH)),
        ("period page (HTML)", page),
    ):
        seconds, cpu, queries = timed(fn)
        results[name] = seconds
        print(f"          {name:<28} {seconds:7.3f} s wall  {cpu:7.3f} s CPU  {queries:3d} queries")
    return results


def main() -> int:
    results = {}
    for label, months in SIZES.items():
        with throwaway_database(f"bench-period-{months}"):
            if not results:
                print(f"Database: {connection.vendor}; period {REPORT_MONTH:%B %Y} and the 11 months before")
            results[label] = measure(label, months)
    ok = True
    for name in results["1 year"]:
        one, ten = results["1 year"][name], results["10 years"][name]
        ratio = ten / one
        print(f"{name}: {one:.3f} s with 1 year, {ten:.3f} s with 10 years (< {TARGET_SECONDS} s, ratio {ratio:.2f})")
        ok = ok and ten < TARGET_SECONDS
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
