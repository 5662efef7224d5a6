"""A re-audit beside the audit it follows: the grades area by area, and what became of the earlier actions.

Practice areas are matched by slug, so a re-audit made on a newer template version still lines up with the
earlier audit wherever the area is the same; an area only one of the two audits has is shown with the other
side empty. Grades are compared by `GRADE_RANK`; "Not applicable" and blank are never compared.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from audits.models import GRADE_RANK, AreaGrade, Audit


class Change:
    """How a grade moved, in words (the page never relies on colour alone)."""

    UP = "Better"
    SAME = "Same"
    DOWN = "Worse"
    NONE = "Not compared"


def grade_change(earlier: str, new: str) -> str:
    before, after = GRADE_RANK.get(earlier), GRADE_RANK.get(new)
    if before is None or after is None:
        return Change.NONE
    if after > before:
        return Change.UP
    return Change.SAME if after == before else Change.DOWN


@dataclass(frozen=True)
class AreaRow:
    area: str
    earlier: AreaGrade | None
    new: AreaGrade | None

    @property
    def change(self) -> str:
        return grade_change(self.earlier.grade if self.earlier else "", self.new.grade if self.new else "")


@dataclass(frozen=True)
class ReauditComparison:
    earlier: Audit
    rows: list[AreaRow]
    overall_change: str
    # The earlier audit's actions, and how many of them were completed by `actions_by`.
    actions_total: int
    actions_completed: int
    actions_by: datetime.date
    # True when `actions_by` is the re-audit's submission date; False while the re-audit is not yet returned.
    actions_by_reaudit: bool

    @property
    def area_counts(self) -> dict[str, int]:
        counts = dict.fromkeys((Change.UP, Change.SAME, Change.DOWN, Change.NONE), 0)
        for row in self.rows:
            counts[row.change] += 1
        return counts


def reaudit_comparison(*, audit: Audit, today: datetime.date | None = None) -> ReauditComparison | None:
    """The comparison for a re-audit (None for any other audit), in three queries whatever the areas."""
    earlier = audit.reaudit_of
    if earlier is None:
        return None
    own_template = Q(audit=audit, area__template_id=audit.template_id)
    earlier_template = Q(audit=earlier, area__template_id=earlier.template_id)
    grades = list(AreaGrade.objects.filter(own_template | earlier_template).select_related("area"))
    new_by_slug = {g.area.slug: g for g in grades if g.audit_id == audit.pk}
    earlier_by_slug = {g.area.slug: g for g in grades if g.audit_id == earlier.pk}
    # The re-audit's areas in its template's order, then any area only the earlier audit had.
    ordered = sorted(new_by_slug.values(), key=lambda g: (g.area.order, g.area_id))
    ordered += sorted(
        (g for slug, g in earlier_by_slug.items() if slug not in new_by_slug), key=lambda g: (g.area.order, g.area_id)
    )
    rows = [
        AreaRow(area=g.area.name, earlier=earlier_by_slug.get(g.area.slug), new=new_by_slug.get(g.area.slug))
        for g in ordered
    ]
    returned = audit.is_returned
    by = audit.submitted_on if returned else (today or timezone.localdate())
    # `actions` is the reverse name of actions.models.Action.audit, spelt out because audits sits below the
    # actions app and does not import it (actions/tests/test_reaudit.py fails if the two drift apart).
    actions = earlier.actions.aggregate(
        total=Count("pk"), completed=Count("pk", filter=Q(completed_on__isnull=False, completed_on__lte=by))
    )
    return ReauditComparison(
        earlier=earlier,
        rows=rows,
        overall_change=grade_change(earlier.final_grade, audit.final_grade),
        actions_total=actions["total"],
        actions_completed=actions["completed"],
        actions_by=by,
        actions_by_reaudit=returned,
    )
