"""Reads for the programme pages: every programme with its figures, and one programme's returns and grades."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from audits.models import GRADE_KEYS, NOT_GRADED, Audit, Programme

RETURNED = Q(audits__submitted_on__isnull=False) & ~Q(audits__status=Audit.Status.SENT_BACK)
# The audits a programme page lists: enough for a themed audit or a practice week; the monthly audit's
# history is read through the report and the audit lists instead.
AUDIT_LIST_LIMIT = 200
SCORE_KEYS = (*GRADE_KEYS, NOT_GRADED)


def programmes_with_counts() -> QuerySet[Programme]:
    """Every programme, the monthly audit first and then the newest, with its allocated and returned audits."""
    monthly_first = Case(When(kind=Programme.Kind.MONTHLY, then=Value(0)), default=Value(1))
    return (
        Programme.objects.select_related("owner")
        .annotate(allocated=Count("audits"), returned=Count("audits", filter=RETURNED), monthly_first=monthly_first)
        .order_by("monthly_first", F("starts_on").desc(nulls_last=True), "name")
    )


def programme_figures(programme: Programme) -> dict[str, Any]:
    """Returns and final grades of the programme's audits, by month and in total (one query)."""
    returned = Q(submitted_on__isnull=False) & ~Q(status=Audit.Status.SENT_BACK)
    aggregates = {
        "allocated": Count("pk"),
        "exempted": Count("pk", filter=Q(status=Audit.Status.EXEMPTED)),
        "returned": Count("pk", filter=returned),
        "late": Count("pk", filter=returned & Q(submitted_on__gt=F("due_on"))),
        **{key: Count("pk", filter=returned & Q(final_grade=key)) for key in SCORE_KEYS},
    }
    rows = list(
        Audit.objects.filter(programme=programme).order_by().values("month").annotate(**aggregates).order_by("month")
    )
    total = {key: sum(row[key] for row in rows) for key in aggregates}
    return {"months": rows, "total": total, "grade_keys": SCORE_KEYS}


def programme_audits(programme: Programme) -> list[Audit]:
    """The programme's audits, newest month first, for the page's list (no child names: case references only)."""
    return list(
        Audit.objects.filter(programme=programme)
        .select_related("child", "team", "auditor")
        .only(
            "id",
            "month",
            "status",
            "final_grade",
            "submitted_on",
            "due_on",
            "child__case_ref",
            "team__name",
            "auditor__first_name",
            "auditor__last_name",
            "auditor__username",
        )
        .order_by("-month", "team__name", "id")[:AUDIT_LIST_LIMIT]
    )
