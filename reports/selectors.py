"""The monthly report's figures (contracts.md section 2), computed in the database.

`report_figures(month, as_of)` returns the contract's JSON as a plain dict:
months as `YYYY-MM`, dates ISO, percentages as floats with one decimal (or
None when the whole is 0). Each block is one aggregate query over a window of
months, so the number of queries is fixed and the work grows with the window,
not with the years of history (every window filter uses the `month` index).

Definitions, in the contract's words: an audit belongs to its allocation
month; *returned* = submitted and not sent back; the final grade is read from
`Audit.final_grade` (decided in `audits.grading`); *moderated* = a completed
moderation; yes/no facts left blank count as no.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, F, Min, Q, QuerySet, Value, When

from actions import selectors as action_selectors
from audits.models import GRADE_KEYS, NOT_GRADED, AreaGrade, AreaGradeChoice, Audit, Feedback, Grade, IroViews
from audits.selectors import ReportScope, scope_q
from caseload.models import LegalStatus
from common.figures import percent
from common.periods import add_months, month_end, month_key, month_start, months_ending, quarters_ending
from moderation import selectors as moderation_selectors
from moderation.models import Moderation
from reports.models import ReportDocument
from reports.reaudits import reaudit_figures
from reports.themes import theme_figures

RATING_MONTHS = 3
MODERATOR_EFFECT_MONTHS = 5
RETURNS_MONTHS = 12
QUARTERS = 5
TEAM_TREND_MONTHS = 6
TEAM_GOOD_OR_INADEQUATE_THRESHOLD = 3

RETURNED = Q(submitted_on__isnull=False) & ~Q(status=Audit.Status.SENT_BACK)
MODERATED = RETURNED & Q(moderation__status=Moderation.Status.COMPLETED)
GOOD_OR_BETTER = (Grade.OUTSTANDING, Grade.GOOD)
# A grade block counts the four grades and the returned audits not graded (contracts.md, added later).
BLOCK_KEYS: tuple[str, ...] = (*GRADE_KEYS, NOT_GRADED)


def _pct(part: int, whole: int) -> float | None:
    value = percent(part, whole)
    return None if value is None else float(value)


def _graded(grade: str, field: str = "final_grade") -> Q:
    return RETURNED & Q(**{field: grade})


def _grade_counts(row: dict[str, Any], prefix: str = "g_", keys: tuple[str, ...] = BLOCK_KEYS) -> dict[str, int]:
    return {grade: row.get(f"{prefix}{grade}", 0) or 0 for grade in keys}


def _distribution(counts: dict[str, int], total: int | None = None) -> dict[str, Any]:
    """A grade block: `percent` over the graded audits (seed 003's adjusted figure), `percent_of_total` over all.

    Counts without `not_graded` (a practice area's, which is never "not graded") give the plain block.
    """
    whole = sum(counts.values()) if total is None else total
    if NOT_GRADED not in counts:
        return {"counts": counts, "total": whole, "percent": {g: _pct(n, whole) for g, n in counts.items()}}
    graded = whole - counts[NOT_GRADED]
    return {
        "counts": counts,
        "total": whole,
        "graded": graded,
        "percent": {g: _pct(counts[g], graded) for g in GRADE_KEYS},
        "percent_of_total": {key: _pct(n, whole) for key, n in counts.items()},
    }


def grade_block(row: dict[str, Any], prefix: str = "g_") -> dict[str, Any]:
    """The grade block (with `not_graded`) of a row annotated with `_grade_aggregates(prefix)`; a missing
    key counts 0 (the period report reads its summed rows with it)."""
    return _distribution(_grade_counts(row, prefix))


def _grade_aggregates(prefix: str = "g_", field: str = "final_grade", base: Q = RETURNED) -> dict[str, Count]:
    return {f"{prefix}{grade}": Count("id", filter=base & Q(**{field: grade})) for grade in BLOCK_KEYS}


def _monthly_rows(
    audits: QuerySet[Audit], first: datetime.date, last: datetime.date
) -> dict[datetime.date, dict[str, Any]]:
    """One row per month in [first, last] with every per-month count the report needs (one query)."""
    late = RETURNED & Q(submitted_on__gt=F("due_on"))
    aggregates = {
        "planned": Count("id"),
        "exempted": Count("id", filter=Q(status=Audit.Status.EXEMPTED)),
        "nil_returns": Count("id", filter=Q(status=Audit.Status.NIL_RETURN)),
        "not_ready": Count("id", filter=Q(status=Audit.Status.SENT_BACK)),
        "returned": Count("id", filter=RETURNED),
        "late": Count("id", filter=late),
        "at_risk": Count("id", filter=_graded(Grade.REQUIRES_IMPROVEMENT) & Q(at_risk=True)),
        # Participation: blank counts as no, so only True is counted.
        "sw": Count("id", filter=RETURNED & Q(sw_participated=True)),
        "manager": Count("id", filter=RETURNED & Q(manager_participated=True)),
        "iro_yes": Count("id", filter=RETURNED & Q(iro_views=IroViews.YES)),
        "iro_applicable": Count("id", filter=RETURNED & ~Q(iro_views=IroViews.NOT_APPLICABLE)),
        "child": Count("id", filter=RETURNED & Q(child_spoken_to=True)),
        "parent": Count("id", filter=RETURNED & Q(parent_spoken_to=True)),
        **_grade_aggregates("g_"),
    }
    for who in ("child", "parent"):
        for feeling in Feedback.values:
            aggregates[f"{who}_{feeling}"] = Count("id", filter=RETURNED & Q(**{f"{who}_feedback": feeling}))
    rows = audits.filter(month__gte=first, month__lte=last).order_by().values("month").annotate(**aggregates)
    return {row["month"]: row for row in rows}


def _quarter_ratings(audits: QuerySet[Audit], month: datetime.date) -> list[dict[str, Any]]:
    quarters = quarters_ending(month, QUARTERS)
    label = Case(
        *[When(month__gte=q.start, month__lt=q.end, then=Value(q.label)) for q in quarters],
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        audits.filter(month__gte=quarters[0].start, month__lt=quarters[-1].end)
        .order_by()
        .annotate(quarter=label)
        .values("quarter")
        .annotate(**_grade_aggregates())
    )
    by_label = {row["quarter"]: row for row in rows}
    return [{"quarter": q.label, **_distribution(_grade_counts(by_label.get(q.label, {})))} for q in quarters]


def _legal_status_ratings(audits: QuerySet[Audit], first: datetime.date, last: datetime.date) -> dict[str, Any]:
    rows = (
        audits.filter(RETURNED, month__gte=first, month__lte=last)
        .order_by()
        .values("legal_status")
        .annotate(**_grade_aggregates())
    )
    by_status = {row["legal_status"]: row for row in rows}
    return {status: _distribution(_grade_counts(by_status.get(status, {}))) for status in LegalStatus.values}


def _teams(audits: QuerySet[Audit], month: datetime.date) -> dict[str, list[str]]:
    three_start = add_months(month, -(RATING_MONTHS - 1))
    rows = (
        audits.filter(month__gte=add_months(month, -(TEAM_TREND_MONTHS - 1)), month__lte=month)
        .order_by()
        .values("team__name")
        .annotate(
            allocated=Count("id", filter=Q(month=month)),
            returned=Count("id", filter=RETURNED & Q(month=month)),
            returned_3=Count("id", filter=RETURNED & Q(month__gte=three_start)),
            good_6=Count("id", filter=RETURNED & Q(final_grade__in=GOOD_OR_BETTER)),
            inadequate_6=Count("id", filter=_graded(Grade.INADEQUATE)),
        )
    )
    # sorted() runs the one query and puts the names in the same order on every database (collations differ);
    # the four lists below only read the annotated rows.
    rows = sorted(rows, key=lambda row: row["team__name"])
    threshold = TEAM_GOOD_OR_INADEQUATE_THRESHOLD
    return {
        "not_audited": [r["team__name"] for r in rows if r["allocated"] and not r["returned"]],
        "audited_once_in_3_months": [r["team__name"] for r in rows if r["returned_3"] == 1],
        "three_plus_good_6_months": [r["team__name"] for r in rows if r["good_6"] >= threshold],
        "three_plus_inadequate_6_months": [r["team__name"] for r in rows if r["inadequate_6"] >= threshold],
    }


def _jsonable(value: Any) -> Any:
    """Decimal percentages (from the shared `percent`) become floats with one decimal; the rest is kept."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def report_figures(
    month: datetime.date, as_of: datetime.date | None = None, scope: ReportScope | None = None
) -> dict[str, Any]:
    """Every figure of contracts.md section 2 for `month` (any day in it) as of `as_of` (default: month end).

    `scope` (default: the monthly audit, every service area) narrows every figure to its audits.
    Moderation figures come from `moderation.selectors` and action / Child of
    Concern figures from `actions.selectors`, so each figure has one definition
    that the moderation panel, the action tracker and this report all share.
    """
    month = month_start(month)
    as_of = as_of or month_end(month)
    scope = scope or ReportScope.monthly()
    audits = Audit.objects.filter(scope.q())
    months = months_ending(month, RETURNS_MONTHS)
    rows = _monthly_rows(audits, months[0], month)
    empty: dict[str, Any] = {}
    this = rows.get(month, empty)

    def count(row: dict[str, Any], key: str) -> int:
        return row.get(key, 0) or 0

    ratings_by_month = [
        {"month": month_key(m), **_distribution(_grade_counts(rows.get(m, empty)))}
        for m in months_ending(month, RATING_MONTHS)
    ]
    returned = count(this, "returned")
    inadequate = count(this, f"g_{Grade.INADEQUATE}")
    at_risk = count(this, "at_risk")

    returns = []
    for m in months:
        row = rows.get(m, empty)
        scheduled = count(row, "planned") - count(row, "exempted")
        returns.append(
            {
                "month": month_key(m),
                "planned": count(row, "planned"),
                "exempted": count(row, "exempted"),
                "scheduled": scheduled,
                "returned": count(row, "returned"),
                "returned_percent": _pct(count(row, "returned"), scheduled),
                "late": count(row, "late"),
                "late_percent": _pct(count(row, "late"), count(row, "returned")),
                "nil_returns": count(row, "nil_returns"),
                "not_ready": count(row, "not_ready"),
            }
        )

    def feedback(who: str) -> dict[str, Any]:
        answers = {feeling: count(this, f"{who}_{feeling}") for feeling in Feedback.values}
        responses = sum(answers.values())
        return {
            "responses": responses,
            **{f"{feeling}_percent": _pct(n, responses) for feeling, n in answers.items()},
        }

    three_start = add_months(month, -(RATING_MONTHS - 1))
    figures = {
        "month": month_key(month),
        "as_of": as_of.isoformat(),
        "programme": scope.programme_key,
        "service_area": scope.service_area_name,
        "ratings_by_month": ratings_by_month,
        "ratings_by_quarter": _quarter_ratings(audits, month),
        "ratings_by_legal_status": _legal_status_ratings(audits, three_start, month),
        "at_risk": {
            "inadequate": inadequate,
            "at_risk": at_risk,
            # contracts.md: "percent = both together over returned audits".
            "total": returned,
            "percent": _pct(inadequate + at_risk, returned),
        },
        "primary_vs_moderated": moderation_selectors.primary_vs_moderated(month, scope),
        "moderator_effect": moderation_selectors.moderator_effect(month, scope),
        "moderation": moderation_selectors.moderation_summary(month, scope),
        "returns": returns,
        "participation": {
            "audits": returned,
            "social_worker_percent": _pct(count(this, "sw"), returned),
            "manager_percent": _pct(count(this, "manager"), returned),
            "iro_percent": _pct(count(this, "iro_yes"), count(this, "iro_applicable")),
            "child_percent": _pct(count(this, "child"), returned),
            "parent_percent": _pct(count(this, "parent"), returned),
        },
        "feedback": {"child": feedback("child"), "parent": feedback("parent")},
        "actions": action_selectors.action_figures(month, as_of, scope),
        "children_of_concern": action_selectors.children_of_concern_figures(month, as_of, scope),
        "awaiting_finalisation": moderation_selectors.awaiting_finalisation(as_of, month, scope),
        "teams": _teams(audits, month),
        "reaudits": reaudit_figures(month, scope_q(scope)),
        "themes": theme_figures(audits.filter(month=month)),
    }
    return _jsonable(figures)


# Figures the page and the PDF show beside the contract's (not part of the JSON).


def practice_area_ratings(month: datetime.date, scope: ReportScope | None = None) -> list[dict[str, Any]]:
    """Per practice area, grade counts for `month` and for the 3 months ending at it (one query).

    Areas are matched by name across template versions, so a renamed or new
    area shows as its own row, in the template's order; Not applicable is left out.
    """
    month = month_start(month)
    three_start = add_months(month, -(RATING_MONTHS - 1))
    base = Q(audit__submitted_on__isnull=False) & ~Q(audit__status=Audit.Status.SENT_BACK)
    aggregates: dict[str, Count] = {}
    for grade in GRADE_KEYS:
        aggregates[f"m_{grade}"] = Count("id", filter=Q(audit__month=month, grade=grade))
        aggregates[f"q_{grade}"] = Count("id", filter=Q(grade=grade))
    rows = (
        AreaGrade.objects.filter(base, audit__month__gte=three_start, audit__month__lte=month)
        .filter((scope or ReportScope.monthly()).q("audit__"))
        .exclude(grade__in=["", AreaGradeChoice.NOT_APPLICABLE])
        .order_by()
        .values("area__name")
        .annotate(first_order=Min("area__order"), **aggregates)
        .order_by("first_order", "area__name")
    )
    return [
        {
            "area": row["area__name"],
            "month": _distribution(_grade_counts(row, "m_", GRADE_KEYS)),
            "three_months": _distribution(_grade_counts(row, "q_", GRADE_KEYS)),
        }
        for row in rows
    ]


def appendix_audits(month: datetime.date, scope: ReportScope | None = None) -> dict[str, QuerySet[Audit]]:
    """The appendix lists for `month`: by auditor name and team, never the child's name."""
    month = month_start(month)
    base = (
        Audit.objects.filter((scope or ReportScope.monthly()).q(), month=month)
        .select_related("auditor", "team", "exemption")
        .only(
            "id",
            "month",
            "status",
            "due_on",
            "submitted_on",
            "exemption_reason",
            "auditor__first_name",
            "auditor__last_name",
            "auditor__username",
            "team__name",
            "exemption__reason",
            "exemption__detail",
            "exemption__approved_by",
        )
        .order_by("auditor__last_name", "auditor__first_name", "team__name", "id")
    )
    return {
        "exemptions": base.filter(status=Audit.Status.EXEMPTED),
        "late_returns": base.filter(RETURNED, submitted_on__gt=F("due_on")),
        "nil_returns": base.filter(status=Audit.Status.NIL_RETURN),
        "sent_back": base.filter(status=Audit.Status.SENT_BACK),
    }


def first_data_month() -> datetime.date | None:
    """The authority's first audit month (imported history included); None before any audit."""
    return Audit.objects.aggregate(first=Min("month"))["first"]


def published_period_documents(limit: int = 12) -> list[ReportDocument]:
    """The published PDFs of reports over a period (contracts.md section 3), the latest period first, for the
    period page and the QA reports page: one query, whoever published them included."""
    return list(
        ReportDocument.objects.filter(
            month_to__isnull=False, published_at__isnull=False, status=ReportDocument.Status.READY
        )
        .select_related("published_by")
        .order_by("-month_to", "-published_at")[:limit]
    )
