"""Build report test data as tracker rows (contracts.md section 1), the way an authority brings in history.

`tracker_row(...)` makes one AUDITS.csv row as a dict of strings; `load_rows(rows)`
puts them into the database. Writing the seeds' tables as tracker rows means the
same data could be handed to `import_tracker` as a CSV.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from actions.models import ChildOfConcern
from audits.models import Audit, Child, Grade, TemplateVersion
from audits.tests.factories import TemplateVersionFactory
from moderation.models import Moderation
from people.models import ServiceArea, Team, User

_refs = itertools.count(1)

OUTCOME_STATUS = {
    "returned": Audit.Status.SUBMITTED,
    "exempted": Audit.Status.EXEMPTED,
    "nil_return": Audit.Status.NIL_RETURN,
    "not_ready": Audit.Status.SENT_BACK,
}
GRADE_WORDS = {"OUTSTANDING": "outstanding", "GOOD": "good", "RI": "requires_improvement", "INADEQUATE": "inadequate"}


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
    return row


def _yes(value: str) -> bool | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    return value in ("yes", "y", "true", "1")


def _day(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _grade(value: str) -> str:
    return GRADE_WORDS[value.strip().upper()] if value else ""


def load_rows(rows: list[dict[str, str]]) -> list[Audit]:
    """Write tracker rows into the database (teams, children and people created as needed)."""
    # Transactional (browser) tests flush the template the migration made, so make it again when missing.
    template = TemplateVersion.objects.filter(is_current=True).first() or TemplateVersionFactory()
    audits = []
    for row in rows:
        area, _ = ServiceArea.objects.get_or_create(name=row["service_area"])
        team, _ = Team.objects.get_or_create(name=row["team"], defaults={"service_area": area})
        auditor, _ = User.objects.get_or_create(username=row["auditor"], defaults={"is_auditor": True})
        child, _ = Child.objects.get_or_create(
            case_ref=row["child_ref"], defaults={"team": team, "legal_status": row["legal_status"].upper()}
        )
        auditor_grade = _grade(row.get("auditor_grade", ""))
        moderator_grade = _grade(row.get("moderator_grade", ""))
        status = OUTCOME_STATUS[row["outcome"]]
        returned = status == Audit.Status.SUBMITTED
        audit = Audit.objects.create(
            external_ref=row["audit_ref"],
            month=datetime.date.fromisoformat(row["month"] + "-01"),
            auditor=auditor,
            child=child,
            team=team,
            service_area=area,
            legal_status=row["legal_status"].upper(),
            template=template,
            due_on=_day(row["due_on"]),
            status=status,
            submitted_on=_day(row.get("submitted_on", "")),
            finalised_on=_day(row.get("finalised_on", "")),
            auditor_grade=auditor_grade,
            final_grade=(moderator_grade or auditor_grade) if returned else "",
            at_risk=bool(_yes(row.get("at_risk", ""))),
            sw_participated=_yes(row.get("sw_participated", "")),
            manager_participated=_yes(row.get("manager_participated", "")),
            child_spoken_to=_yes(row.get("child_spoken_to", "")),
            parent_spoken_to=_yes(row.get("parent_spoken_to", "")),
            iro_views=row.get("iro_views", "").lower(),
            child_feedback=row.get("child_feedback", "").lower(),
            parent_feedback=row.get("parent_feedback", "").lower(),
            exemption_reason=row.get("exemption_reason", ""),
        )
        if row.get("moderator"):
            moderator, _ = User.objects.get_or_create(username=row["moderator"], defaults={"is_moderator": True})
            Moderation.objects.create(
                audit=audit,
                sample_reason=Moderation.SampleReason.IMPORTED,
                status=Moderation.Status.COMPLETED,
                moderator=moderator,
                grade=moderator_grade,
                moderated_on=_day(row.get("moderated_on", "")),
            )
        if returned and audit.final_grade == Grade.INADEQUATE:
            raised = audit.submitted_on or audit.due_on
            resolved = _day(row.get("coc_resolved_on", ""))
            ChildOfConcern.objects.create(
                audit=audit,
                child=child,
                trigger=ChildOfConcern.Trigger.INADEQUATE,
                status=ChildOfConcern.Status.RESOLVED if resolved else ChildOfConcern.Status.AWAITING_RESPONSE,
                raised_on=raised,
                response_due_on=raised,
                resolved_on=resolved,
            )
        audits.append(audit)
    return audits
