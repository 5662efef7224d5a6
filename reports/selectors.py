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
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When

from actions.models import Action, ChildOfConcern
from audits.figures import GRADE_KEYS, percent
from audits.models import GRADE_RANK, AreaGrade, AreaGradeChoice, Audit, Feedback, Grade, IroViews, LegalStatus
from moderation.models import Moderation
from reports.periods import add_months, month_end, month_key, month_start, months_ending, quarters_ending

RATING_MONTHS = 3
MODERATOR_EFFECT_MONTHS = 5
RETURNS_MONTHS = 12
QUARTERS = 5
TEAM_TREND_MONTHS = 6
TEAM_GOOD_OR_INADEQUATE_THRESHOLD = 3

RETURNED = Q(submitted_on__isnull=False) & ~Q(status=Audit.Status.SENT_BACK)
MODERATED = RETURNED & Q(moderation__status=Moderation.Status.COMPLETED)
GOOD_OR_BETTER = (Grade.OUTSTANDING, Grade.GOOD)


def _pct(part: int, whole: int) -> float | None:
    value = percent(part, whole)
    return None if value is None else float(value)


def _graded(grade: str, field: str = "final_grade") -> Q:
    return RETURNED & Q(**{field: grade})


def _moved(better: bool) -> Q:
    """Moderated audits whose final (moderator's) grade is above (`better`) or below the auditor's."""
    pairs = Q(pk__in=[])
    for auditor_grade, auditor_rank in GRADE_RANK.items():
        for final_grade, final_rank in GRADE_RANK.items():
            if (final_rank > auditor_rank) if better else (final_rank < auditor_rank):
                pairs |= Q(auditor_grade=auditor_grade, final_grade=final_grade)
    return MODERATED & pairs


def _grade_counts(row: dict[str, Any], prefix: str = "g_") -> dict[str, int]:
    return {grade: row.get(f"{prefix}{grade}", 0) or 0 for grade in GRADE_KEYS}


def _distribution(counts: dict[str, int], total: int | None = None) -> dict[str, Any]:
    whole = sum(counts.values()) if total is None else total
    return {"counts": counts, "total": whole, "percent": {g: _pct(n, whole) for g, n in counts.items()}}


def _grade_aggregates(prefix: str = "g_", field: str = "final_grade", base: Q = RETURNED) -> dict[str, Count]:
    return {f"{prefix}{grade}": Count("id", filter=base & Q(**{field: grade})) for grade in GRADE_KEYS}


def _monthly_rows(first: datetime.date, last: datetime.date) -> dict[datetime.date, dict[str, Any]]:
    """One row per month in [first, last] with every per-month count the report needs (one query)."""
    late = RETURNED & Q(submitted_on__gt=F("due_on"))
    moderated_inadequate = MODERATED & Q(final_grade=Grade.INADEQUATE)
    aggregates = {
        "planned": Count("id"),
        "exempted": Count("id", filter=Q(status=Audit.Status.EXEMPTED)),
        "nil_returns": Count("id", filter=Q(status=Audit.Status.NIL_RETURN)),
        "not_ready": Count("id", filter=Q(status=Audit.Status.SENT_BACK)),
        "returned": Count("id", filter=RETURNED),
        "late": Count("id", filter=late),
        "at_risk": Count("id", filter=_graded(Grade.REQUIRES_IMPROVEMENT) & Q(at_risk=True)),
        # Moderation.
        "moderated": Count("id", filter=MODERATED),
        "upgraded": Count("id", filter=_moved(better=True)),
        "downgraded": Count("id", filter=_moved(better=False)),
        "agreed": Count("id", filter=MODERATED & Q(auditor_grade=F("final_grade"))),
        "moderated_inadequate": Count("id", filter=moderated_inadequate),
        "moderated_inadequate_higher": Count("id", filter=moderated_inadequate & ~Q(auditor_grade=Grade.INADEQUATE)),
        # Participation: blank counts as no, so only True is counted.
        "sw": Count("id", filter=RETURNED & Q(sw_participated=True)),
        "manager": Count("id", filter=RETURNED & Q(manager_participated=True)),
        "iro_yes": Count("id", filter=RETURNED & Q(iro_views=IroViews.YES)),
        "iro_applicable": Count("id", filter=RETURNED & ~Q(iro_views=IroViews.NOT_APPLICABLE)),
        "child": Count("id", filter=RETURNED & Q(child_spoken_to=True)),
        "parent": Count("id", filter=RETURNED & Q(parent_spoken_to=True)),
        **_grade_aggregates("g_"),
        **_grade_aggregates("primary_", field="auditor_grade", base=MODERATED),
        **_grade_aggregates("moderated_", base=MODERATED),
    }
    for who in ("child", "parent"):
        for feeling in Feedback.values:
            aggregates[f"{who}_{feeling}"] = Count("id", filter=RETURNED & Q(**{f"{who}_feedback": feeling}))
    rows = Audit.objects.filter(month__gte=first, month__lte=last).order_by().values("month").annotate(**aggregates)
    return {row["month"]: row for row in rows}


def _quarter_ratings(month: datetime.date) -> list[dict[str, Any]]:
    quarters = quarters_ending(month, QUARTERS)
    label = Case(
        *[When(month__gte=q.start, month__lt=q.end, then=Value(q.label)) for q in quarters],
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        Audit.objects.filter(month__gte=quarters[0].start, month__lt=quarters[-1].end)
        .order_by()
        .annotate(quarter=label)
        .values("quarter")
        .annotate(**_grade_aggregates())
    )
    by_label = {row["quarter"]: row for row in rows}
    return [{"quarter": q.label, **_distribution(_grade_counts(by_label.get(q.label, {})))} for q in quarters]


def _legal_status_ratings(first: datetime.date, last: datetime.date) -> dict[str, Any]:
    rows = (
        Audit.objects.filter(RETURNED, month__gte=first, month__lte=last)
        .order_by()
        .values("legal_status")
        .annotate(**_grade_aggregates())
    )
    by_status = {row["legal_status"]: row for row in rows}
    return {status: _distribution(_grade_counts(by_status.get(status, {}))) for status in LegalStatus.values}


def _teams(month: datetime.date) -> dict[str, list[str]]:
    three_start = add_months(month, -(RATING_MONTHS - 1))
    rows = (
        Audit.objects.filter(month__gte=add_months(month, -(TEAM_TREND_MONTHS - 1)), month__lte=month)
        .order_by()
        .values("team__name")
        .annotate(
            allocated=Count("id", filter=Q(month=month)),
            returned=Count("id", filter=RETURNED & Q(month=month)),
            returned_3=Count("id", filter=RETURNED & Q(month__gte=three_start)),
            good_6=Count("id", filter=RETURNED & Q(final_grade__in=GOOD_OR_BETTER)),
            inadequate_6=Count("id", filter=_graded(Grade.INADEQUATE)),
        )
        .order_by("team__name")
    )
    # list() runs the one query now; the four lists below only read the annotated rows.
    rows = list(rows)
    threshold = TEAM_GOOD_OR_INADEQUATE_THRESHOLD
    return {
        "not_audited": [r["team__name"] for r in rows if r["allocated"] and not r["returned"]],
        "audited_once_in_3_months": [r["team__name"] for r in rows if r["returned_3"] == 1],
        "three_plus_good_6_months": [r["team__name"] for r in rows if r["good_6"] >= threshold],
        "three_plus_inadequate_6_months": [r["team__name"] for r in rows if r["inadequate_6"] >= threshold],
    }


def _actions(month: datetime.date, as_of: datetime.date) -> dict[str, Any]:
    window = Q(audit__month__gte=add_months(month, -(RATING_MONTHS - 1)))
    completed = Q(completed_on__isnull=False, completed_on__lte=as_of)
    still_open = Q(completed_on__isnull=True) | Q(completed_on__gt=as_of)
    figures = Action.objects.filter(audit__month__lte=month).aggregate(
        total=Count("id", filter=window),
        overdue=Count("id", filter=window & still_open & Q(due_on__lt=as_of)),
        completed_late=Count("id", filter=window & completed & Q(completed_on__gt=F("due_on"))),
        completed_on_time=Count("id", filter=window & completed & Q(completed_on__lte=F("due_on"))),
        not_yet_due=Count("id", filter=window & still_open & Q(due_on__gte=as_of)),
        older_open=Count("id", filter=~window & still_open),
    )
    total = figures["total"]
    result: dict[str, Any] = {key: figures[key] for key in ("total", "overdue", "completed_late")}
    result.update({key: figures[key] for key in ("completed_on_time", "not_yet_due")})
    for key in ("overdue", "completed_late", "completed_on_time", "not_yet_due"):
        result[f"{key}_percent"] = _pct(figures[key], total)
    result["older_open"] = figures["older_open"]
    return result


def _children_of_concern(month: datetime.date, as_of: datetime.date) -> dict[str, int]:
    figures = ChildOfConcern.objects.filter(audit__month=month).aggregate(
        raised=Count("id"), resolved=Count("id", filter=Q(resolved_on__isnull=False, resolved_on__lte=as_of))
    )
    return {
        "raised": figures["raised"],
        "resolved": figures["resolved"],
        "open": figures["raised"] - figures["resolved"],
    }


def awaiting_finalisation_q(as_of: datetime.date) -> Q:
    """Moderated on or before `as_of` and not finalised by then (a filter over Audit)."""
    moderated_by_then = Q(moderation__status=Moderation.Status.COMPLETED) & (
        Q(moderation__moderated_on__isnull=True) | Q(moderation__moderated_on__lte=as_of)
    )
    return RETURNED & moderated_by_then & (Q(finalised_on__isnull=True) | Q(finalised_on__gt=as_of))


def _awaiting_finalisation(month: datetime.date, as_of: datetime.date) -> list[dict[str, Any]]:
    rows = (
        Audit.objects.filter(awaiting_finalisation_q(as_of), month__lte=month)
        .order_by()
        .values("month")
        .annotate(count=Count("id"))
        .order_by("month")
    )
    return [{"month": month_key(row["month"]), "count": row["count"]} for row in rows]


def report_figures(month: datetime.date, as_of: datetime.date | None = None) -> dict[str, Any]:
    """Every figure of contracts.md section 2 for `month` (any day in it) as of `as_of` (default: month end)."""
    month = month_start(month)
    as_of = as_of or month_end(month)
    months = months_ending(month, RETURNS_MONTHS)
    rows = _monthly_rows(months[0], month)
    empty: dict[str, Any] = {}
    this = rows.get(month, empty)

    def count(row: dict[str, Any], key: str) -> int:
        return row.get(key, 0) or 0

    ratings_by_month = [
        {"month": month_key(m), **_distribution(_grade_counts(rows.get(m, empty)))}
        for m in months_ending(month, RATING_MONTHS)
    ]
    returned = count(this, "returned")
    graded = sum(_grade_counts(this).values())
    inadequate = count(this, f"g_{Grade.INADEQUATE}")
    at_risk = count(this, "at_risk")

    moderated = count(this, "moderated")
    primary = _grade_counts(this, "primary_")
    final = _grade_counts(this, "moderated_")

    moderator_effect = []
    for m in months_ending(month, MODERATOR_EFFECT_MONTHS):
        row = rows.get(m, empty)
        moderator_effect.append(
            {
                "month": month_key(m),
                "moderated": count(row, "moderated"),
                "upgraded_percent": _pct(count(row, "upgraded"), count(row, "moderated")),
                "downgraded_percent": _pct(count(row, "downgraded"), count(row, "moderated")),
                "inadequate_downgraded_percent": _pct(
                    count(row, "moderated_inadequate_higher"), count(row, "moderated_inadequate")
                ),
            }
        )

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
    return {
        "month": month_key(month),
        "as_of": as_of.isoformat(),
        "ratings_by_month": ratings_by_month,
        "ratings_by_quarter": _quarter_ratings(month),
        "ratings_by_legal_status": _legal_status_ratings(three_start, month),
        "at_risk": {
            "inadequate": inadequate,
            "at_risk": at_risk,
            "total": graded,
            "percent": _pct(inadequate + at_risk, graded),
        },
        "primary_vs_moderated": {
            "moderated": moderated,
            "primary": {"counts": primary, "percent": {g: _pct(n, moderated) for g, n in primary.items()}},
            "final": {"counts": final, "percent": {g: _pct(n, moderated) for g, n in final.items()}},
        },
        "moderator_effect": moderator_effect,
        "moderation": {
            "returned": returned,
            "moderated": moderated,
            "moderated_percent": _pct(moderated, returned),
            "agreed": count(this, "agreed"),
            "upgraded": count(this, "upgraded"),
            "downgraded": count(this, "downgraded"),
            "downgraded_percent": _pct(count(this, "downgraded"), moderated),
        },
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
        "actions": _actions(month, as_of),
        "children_of_concern": _children_of_concern(month, as_of),
        "awaiting_finalisation": _awaiting_finalisation(month, as_of),
        "teams": _teams(month),
    }


# Figures the page and the PDF show beside the contract's (not part of the JSON).


def practice_area_ratings(month: datetime.date) -> list[dict[str, Any]]:
    """Per practice area, grade counts for `month` and for the 3 months ending at it (one query).

    Areas are matched by name across template versions, so a renamed or new
    area shows as its own row; Not applicable is left out.
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
        .exclude(grade__in=["", AreaGradeChoice.NOT_APPLICABLE])
        .order_by()
        .values("area__name")
        .annotate(**aggregates)
        .order_by("area__name")
    )
    return [
        {
            "area": row["area__name"],
            "month": _distribution(_grade_counts(row, "m_")),
            "three_months": _distribution(_grade_counts(row, "q_")),
        }
        for row in rows
    ]


def appendix_audits(month: datetime.date) -> dict[str, QuerySet[Audit]]:
    """The appendix lists for `month`: by auditor name and team, never the child's name."""
    month = month_start(month)
    base = (
        Audit.objects.filter(month=month)
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
        )
        .order_by("auditor__last_name", "auditor__first_name", "team__name", "id")
    )
    return {
        "exemptions": base.filter(status=Audit.Status.EXEMPTED),
        "late_returns": base.filter(RETURNED, submitted_on__gt=F("due_on")),
        "nil_returns": base.filter(status=Audit.Status.NIL_RETURN),
        "sent_back": base.filter(status=Audit.Status.SENT_BACK),
    }
