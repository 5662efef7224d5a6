"""Impact of re-audit: did practice improve when it was revisited? (issue 14)

`reaudit_figures` is the contract's `reaudits` block (contracts.md section 2): the re-audits of the month that
were returned, each compared by final grade with the audit it re-audits. A re-audit whose earlier audit, or
which itself, has no overall grade counts in `returned` only. `reaudit_impact` (a month's re-audits) and
`reaudit_impact_among` (any of them: a period's) add what the web report and the PDF show beside it: practice
areas graded higher on re-audit ("upscaling", seed 001) and the earlier audits' actions completed by the day
the re-audit was returned.

Everything is counted in the database, one query each, whatever the number of audits. The same conditions
(`REAUDIT_Q`) filter the drill-down, so the list behind a figure holds exactly the audits it counts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.lookups import Exact, GreaterThan, LessThan

from audits.models import AreaGrade, Audit
from common.figures import percent
from common.periods import month_start
from moderation.selectors import grade_rank

NEW_RANK = grade_rank("final_grade")
EARLIER_RANK = grade_rank("reaudit_of__final_grade")
BOTH_GRADED = Q(GreaterThan(NEW_RANK, 0)) & Q(GreaterThan(EARLIER_RANK, 0))
# Returned as contracts.md defines it (reports.selectors.RETURNED, which imports this module for the JSON).
RETURNED_REAUDIT = Q(submitted_on__isnull=False) & ~Q(status=Audit.Status.SENT_BACK) & Q(reaudit_of__isnull=False)

# The earlier audit's grade of the same practice area (matched by slug within each audit's own template).
_EARLIER_AREA_GRADE = Subquery(
    AreaGrade.objects.filter(
        audit_id=OuterRef("audit__reaudit_of_id"),
        area__slug=OuterRef("area__slug"),
        area__template_id=OuterRef("audit__reaudit_of__template_id"),
    ).values("grade")[:1]
)
AREA_NEW_RANK = grade_rank("grade")
AREA_EARLIER_RANK = grade_rank("earlier_grade")
AREA_BOTH_GRADED = Q(GreaterThan(AREA_NEW_RANK, 0)) & Q(GreaterThan(AREA_EARLIER_RANK, 0))
AREA_CHANGE_Q = {
    "up": AREA_BOTH_GRADED & Q(GreaterThan(AREA_NEW_RANK, AREA_EARLIER_RANK)),
    "same": AREA_BOTH_GRADED & Q(Exact(AREA_NEW_RANK, AREA_EARLIER_RANK)),
    "down": AREA_BOTH_GRADED & Q(LessThan(AREA_NEW_RANK, AREA_EARLIER_RANK)),
}


def _compared_area_grades(audits: Q) -> Any:
    """The re-audits' own area grades (of their own template), each annotated with the earlier audit's grade."""
    return AreaGrade.objects.filter(
        audit__in=Audit.objects.filter(audits).values("pk"), area__template_id=F("audit__template_id")
    ).annotate(earlier_grade=_EARLIER_AREA_GRADE)


def _area_went(change: str, audits: Q = RETURNED_REAUDIT) -> Q:
    """Re-audits (among `audits`) with at least one practice area graded higher ("up"), the same or lower than
    in the audit they follow."""
    return Q(pk__in=_compared_area_grades(audits).filter(AREA_CHANGE_Q[change]).values("audit_id"))


# On Audit rows: the figures and the drill-down (`reports.filters`, `?reaudit=...`).
REAUDIT_Q = {
    "returned": RETURNED_REAUDIT,
    "improved": RETURNED_REAUDIT & BOTH_GRADED & Q(GreaterThan(NEW_RANK, EARLIER_RANK)),
    "same": RETURNED_REAUDIT & BOTH_GRADED & Q(Exact(NEW_RANK, EARLIER_RANK)),
    "worse": RETURNED_REAUDIT & BOTH_GRADED & Q(LessThan(NEW_RANK, EARLIER_RANK)),
}
REAUDIT_CHOICES = [
    ("returned", "Re-audits returned"),
    ("improved", "Re-audit improved on the earlier grade"),
    ("same", "Re-audit kept the earlier grade"),
    ("worse", "Re-audit graded lower than before"),
    ("area_up", "Re-audit with a practice area graded higher"),
    ("area_same", "Re-audit with a practice area graded the same"),
    ("area_down", "Re-audit with a practice area graded lower"),
]


def reaudit_q(name: str) -> Q:
    return _area_went(name.removeprefix("area_")) if name.startswith("area_") else REAUDIT_Q[name]


def reaudit_figures(month: datetime.date, scope: Q | None = None) -> dict[str, Any]:
    """contracts.md `reaudits` for the re-audits of `month` (within `scope`, a Q over Audit) that were returned."""
    return reaudit_block(Q(month=month_start(month)) & (scope or Q()))


def reaudit_block(audits: Q) -> dict[str, Any]:
    """contracts.md `reaudits` for the returned re-audits among `audits` (a month's, or a period's, in scope)."""
    counts = (
        Audit.objects.filter(audits)
        .filter(RETURNED_REAUDIT)
        .aggregate(
            returned=Count("pk"),
            improved=Count("pk", filter=REAUDIT_Q["improved"]),
            same=Count("pk", filter=REAUDIT_Q["same"]),
            worse=Count("pk", filter=REAUDIT_Q["worse"]),
        )
    )
    improved_percent = percent(counts["improved"], counts["returned"])
    return {**counts, "improved_percent": None if improved_percent is None else float(improved_percent)}


def reaudit_impact(month: datetime.date, scope: Q | None = None) -> dict[str, Any]:
    """`reaudit_impact_among` for the re-audits of `month` (within `scope`, a Q over Audit): the monthly report's."""
    return reaudit_impact_among(Q(month=month_start(month)) & (scope or Q()))


def reaudit_impact_among(audits: Q) -> dict[str, Any]:
    """Beside the contract's block, for the returned re-audits among `audits` (a month's, or a period's, in scope):
    practice areas compared (went up, stayed, went down), re-audits with an area graded higher, and the earlier
    audits' actions completed by the day each re-audit was returned."""
    audits = audits & RETURNED_REAUDIT
    areas = _compared_area_grades(audits).aggregate(
        compared=Count("pk", filter=AREA_BOTH_GRADED), **{k: Count("pk", filter=q) for k, q in AREA_CHANGE_Q.items()}
    )
    # Actions of each earlier audit, counted once per re-audit that follows it. The query starts from the
    # re-audits (the month index) and reaches the earlier audits' actions by their foreign key.
    done_by_reaudit = Q(reaudit_of__actions__completed_on__lte=F("submitted_on"))
    actions = Audit.objects.filter(audits).aggregate(
        total=Count("reaudit_of__actions"), completed=Count("reaudit_of__actions", filter=done_by_reaudit)
    )
    return {
        "areas": areas,
        "audits_with_area_up": Audit.objects.filter(_area_went("up", audits)).count(),
        "actions": {**actions, "completed_percent": percent(actions["completed"], actions["total"])},
    }
