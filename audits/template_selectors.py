"""Reads over practice-area template versions, each programme's own (the monthly audit's by default).

A version is *current* when `is_current` is set (one at a time, a partial unique
constraint). A version numbered above the current one has never been published:
it is the QA team's *draft*. A version numbered below it was published once and
has been *superseded*. Publishing only ever moves forward, so the number alone
tells the three apart and no extra column is needed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from audits.models import Audit, PracticeArea, Programme, TemplateVersion, monthly_programme

STATUS_CURRENT = "current"
STATUS_DRAFT = "draft"
STATUS_SUPERSEDED = "superseded"


def _versions(programme: Programme | None) -> QuerySet[TemplateVersion]:
    return TemplateVersion.objects.filter(programme=programme or monthly_programme())


def template_current(programme: Programme | None = None) -> TemplateVersion | None:
    """The version a new audit of the programme (the monthly audit when None) is allocated with."""
    return _versions(programme).filter(is_current=True).first()


def template_current_number(programme: Programme | None = None) -> int:
    """The current version's number, or 0 before any version is published."""
    return _versions(programme).filter(is_current=True).aggregate(n=Max("number"))["n"] or 0


def template_status(version: TemplateVersion, current_number: int) -> str:
    if version.is_current:
        return STATUS_CURRENT
    return STATUS_DRAFT if version.number > current_number else STATUS_SUPERSEDED


def template_draft(programme: Programme | None = None) -> TemplateVersion | None:
    """The one unpublished version, if the QA team has started one."""
    return _versions(programme).filter(number__gt=template_current_number(programme)).order_by("number").first()


def template_versions_with_counts(programme: Programme | None = None) -> QuerySet[TemplateVersion]:
    """Every version, newest first, with how many areas it has and how many audits use it.

    Two correlated subqueries rather than two joins: joining areas and audits
    together would multiply the rows (areas x audits) before counting.
    """
    return (
        _versions(programme)
        .select_related("created_by")
        .annotate(
            area_count=_count_of(PracticeArea.objects.filter(template=OuterRef("pk"))),
            audit_count=_count_of(Audit.objects.filter(template=OuterRef("pk"))),
        )
        .order_by("-number")
    )


def _count_of(rows: QuerySet) -> Coalesce:
    counted = rows.order_by().values("template").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def template_changes(version: TemplateVersion, base: TemplateVersion | None) -> dict[str, Any]:
    """What `version` changes compared with `base`, matching areas by slug (how versions relate an area).

    Returns lists for "added", "removed" (area names), "renamed" ((old, new) pairs)
    and "guidance_changed" (names), and "reordered", true when kept areas changed order.
    """
    mine = list(version.areas.all())
    theirs = list(base.areas.all()) if base is not None else []
    old = {area.slug: area for area in theirs}
    new = {area.slug: area for area in mine}
    kept_old_order = [area.slug for area in theirs if area.slug in new]
    kept_new_order = [area.slug for area in mine if area.slug in old]
    return {
        "added": [area.name for area in mine if area.slug not in old],
        "removed": [area.name for area in theirs if area.slug not in new],
        "renamed": [(old[a.slug].name, a.name) for a in mine if a.slug in old and old[a.slug].name != a.name],
        "guidance_changed": [a.name for a in mine if a.slug in old and old[a.slug].guidance != a.guidance],
        "reordered": kept_old_order != kept_new_order,
    }
