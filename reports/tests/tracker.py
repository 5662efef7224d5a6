"""Build report test data as tracker rows (contracts.md section 1), the way an authority brings in history.

`tracker_row(...)` makes one AUDITS.csv row as a dict of strings; `load_rows(rows)`
imports them with the tracker importer (`imports.services.import_tracker_rows`), so the
seeds' tables reach the report exactly as an authority's history would.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from audits.models import Audit, TemplateVersion
from audits.tests.factories import TemplateVersionFactory
from imports.services import import_tracker_rows

_refs = itertools.count(1)


def tracker_row(month: str, outcome: str = "returned", **columns: Any) -> dict[str, str]:
    """One AUDITS.csv row with sensible defaults: due on the 25th, returned on time."""
    n = next(_refs)
    year, mon = (int(part) for part in month.split("-"))
    row = {
        "audit_ref": f"T{n:06d}",
        "month": month,
        "team": "Team A",
        "service_area": "Children's Social Care",
        "child_ref": f"CH{n:06d}",
        "legal_status": "CIN",
        "auditor": f"auditor{n % 7}",
        "outcome": outcome,
        "due_on": datetime.date(year, mon, 25).isoformat(),
        "submitted_on": datetime.date(year, mon, 20).isoformat() if outcome in ("returned", "not_ready") else "",
        "auditor_grade": "GOOD" if outcome in ("returned", "not_ready") else "",
    }
    row.update({key: "" if value is None else str(value) for key, value in columns.items()})
    if row.get("moderator") and not row.get("moderated_on"):
        row["moderated_on"] = row["submitted_on"]
    return row


def load_rows(rows: list[dict[str, str]]) -> list[Audit]:
    """Import tracker rows with the product's own importer (all or nothing); the audits, in row order."""
    # Transactional (browser) tests flush the template the migration made, so make it again when missing.
    if not TemplateVersion.objects.filter(is_current=True).exists():
        TemplateVersionFactory()
    result = import_tracker_rows(rows)
    assert result.ok, [str(problem) for problem in result.problems[:10]]
    by_ref = Audit.objects.in_bulk([row["audit_ref"] for row in rows], field_name="external_ref")
    return [by_ref[row["audit_ref"]] for row in rows]
