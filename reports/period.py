"""The report over a period (contracts.md section 3): any run of whole months, in a scope.

`period_figures(first, last, programme=..., service_area=...)` returns the
contract's JSON as a plain dict. It reuses the monthly report's grade blocks
(`reports.selectors.grade_block`), its per-month counts (`_monthly_rows`) and
the moderation summary (`moderation.selectors.moderation_summary`), so a figure
has one definition whether it is counted for a month or a year. The number of
queries is fixed (the months, four groupings and the moderation summary, plus
one to find a named programme): the work grows with the months of the period,
never with the years of history, since every query filters on `month`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, Q, Value, When
from django.db.models.expressions import Case

from audits.models import MONTHLY_NAME, Audit, Programme
from audits.selectors import ReportScope
from caseload.models import LegalStatus
from common.periods import (
    EARLIEST_MONTH,
    LATEST_MONTH,
    add_months,
    month_end,
    month_key,
    month_start,
    quarter_of,
)
from moderation import selectors as moderation_selectors
from reports.reaudits import reaudit_block
from reports.selectors import (
    RETURNED,
    _grade_aggregates,
    _jsonable,
    _monthly_rows,
    _pct,
    grade_block,
)
from reports.themes import theme_figures

# A period report covers at most ten years: an annual report, or the history of a decade for a trend.
MAX_PERIOD_MONTHS = 120
ALL_PROGRAMMES = "all"


def check_period(first: datetime.date, last: datetime.date) -> None:
    """ValueError with a readable message unless `first`..`last` is a run of whole months the report covers."""
    for name, month in (("The first month", first), ("The last month", last)):
        if not EARLIEST_MONTH <= month_start(month) <= LATEST_MONTH:
            raise ValueError(
                f"{name} must be from {EARLIEST_MONTH:%B %Y} to {LATEST_MONTH:%B %Y}; "
                f"{month_key(month)} is outside that range."
            )
    if month_start(first) > month_start(last):
        raise ValueError(
            f"The period must start on or before its last month: {month_key(first)} is after {month_key(last)}."
        )
    if months_between(first, last) > MAX_PERIOD_MONTHS:
        raise ValueError(
            f"A period report covers at most {MAX_PERIOD_MONTHS // 12} years ({MAX_PERIOD_MONTHS} months); "
            f"{month_key(first)} to {month_key(last)} is {months_between(first, last)} months."
        )


def months_between(first: datetime.date, last: datetime.date) -> int:
    """How many months `first` to `last` holds, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def period_months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [add_months(month_start(first), n) for n in range(months_between(first, last))]


@dataclass(frozen=True)
class QuickPick:
    key: str
    label: str
    first: datetime.date
    last: datetime.date


def quick_picks(today: datetime.date) -> list[QuickPick]:
    """The periods a board or an annual report usually asks for, as of `today`.

    This quarter and the financial year to date run to the current month; last quarter is the
    whole quarter before this one; the last 12 months are the 12 whole months before this one.
    """
    this_month = month_start(today)
    quarter = quarter_of(this_month)
    last_quarter = quarter_of(add_months(quarter.start, -1))
    year_start = datetime.date(this_month.year if this_month.month >= 4 else this_month.year - 1, 4, 1)
    last_month = add_months(this_month, -1)
    return [
        QuickPick("this_quarter", f"This quarter ({quarter.label})", quarter.start, this_month),
        QuickPick(
            "last_quarter", f"Last quarter ({last_quarter.label})", last_quarter.start, add_months(last_quarter.end, -1)
        ),
        QuickPick(
            "financial_year_to_date",
            f"Financial year to date ({year_start.year}/{(year_start.year + 1) % 100:02d})",
            year_start,
            this_month,
        ),
        QuickPick("last_12_months", "The last 12 months", add_months(last_month, -11), last_month),
    ]


# contracts.md section 3: the monthly audit is keyed `Monthly audit` whatever the programme is called.
PROGRAMME_LABEL = Case(
    When(programme__kind=Programme.Kind.MONTHLY, then=Value(MONTHLY_NAME)),
    default=F("programme__name"),
    output_field=CharField(),
)


def _ratings_by(field: str, first: datetime.date, last: datetime.date, scope: Q) -> dict[str, dict[str, Any]]:
    """Grade blocks keyed by `field`'s value, for groups with returned audits only, sorted by name (one query).

    sorted() puts the names in the same order on every database (collations differ)."""
    audits = Audit.objects.filter(RETURNED, scope, month__gte=first, month__lte=last).order_by()
    if field == "programme":
        audits = audits.annotate(programme_label=PROGRAMME_LABEL)
        field = "programme_label"
    rows = audits.values(field).annotate(**_grade_aggregates())
    return {row[field]: grade_block(row) for row in sorted(rows, key=lambda row: row[field])}


def _sum(rows: list[dict[str, Any]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            if key != "month" and isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total


@dataclass(frozen=True)
class PeriodQuarter:
    """A financial quarter as the period counts it: only its months inside the period."""

    label: str
    first: datetime.date
    last: datetime.date


def period_quarters(first: datetime.date, last: datetime.date) -> list[PeriodQuarter]:
    quarters: dict[str, PeriodQuarter] = {}
    for month in period_months(first, last):
        label = quarter_of(month).label
        earlier = quarters.get(label)
        quarters[label] = PeriodQuarter(label, earlier.first if earlier else month, month)
    return list(quarters.values())


def period_figures(first: datetime.date, last: datetime.date, scope: ReportScope | None = None) -> dict[str, Any]:
    """Every figure of contracts.md section 3 for the months `first` to `last` (any day in them), within
    `scope` (default: every programme and service area; contracts.md: over a period the programme defaults
    to `all`). The caller checks the period first (`check_period`).
    """
    first, last = month_start(first), month_start(last)
    scope = scope or ReportScope()
    where = scope.q()
    months = period_months(first, last)
    rows = _monthly_rows(Audit.objects.filter(where), first, last)
    in_period = Audit.objects.filter(where, month__gte=first, month__lte=last)
    month_rows = [{"month": m, **rows.get(m, {})} for m in months]

    def block(period_rows: list[dict[str, Any]]) -> dict[str, Any]:
        return grade_block(_sum(period_rows))

    quarters = []
    for quarter in period_quarters(first, last):
        inside = [row for row in month_rows if quarter.first <= row["month"] <= quarter.last]
        quarters.append({"quarter": quarter.label, **block(inside)})

    totals = _sum(month_rows)
    count = lambda key: totals.get(key, 0)  # noqa: E731
    scheduled = count("planned") - count("exempted")

    by_status = _ratings_by("legal_status", first, last, where)
    empty = grade_block({})

    figures = {
        "from": month_key(first),
        "to": month_key(last),
        "as_of": month_end(last).isoformat(),
        "programme": scope.programme_key,
        "service_area": scope.service_area_name,
        "ratings": block(month_rows),
        "ratings_by_month": [{"month": month_key(row["month"]), **block([row])} for row in month_rows],
        "ratings_by_quarter": quarters,
        "ratings_by_programme": _ratings_by("programme", first, last, where),
        "ratings_by_team": _ratings_by("team__name", first, last, where),
        "ratings_by_service_area": _ratings_by("service_area__name", first, last, where),
        "ratings_by_legal_status": {code: by_status.get(code, empty) for code in LegalStatus.values},
        "moderation": moderation_selectors.moderation_summary(first, scope, through=last),
        "returns": {
            "planned": count("planned"),
            "exempted": count("exempted"),
            "scheduled": scheduled,
            "returned": count("returned"),
            "returned_percent": _pct(count("returned"), scheduled),
            "late": count("late"),
            "late_percent": _pct(count("late"), count("returned")),
            "nil_returns": count("nil_returns"),
            "not_ready": count("not_ready"),
        },
        # contracts.md section 3: `themes` and `reaudits` as in section 2, over the period.
        "themes": theme_figures(in_period),
        "reaudits": reaudit_block(Q(month__gte=first, month__lte=last) & where),
    }
    return _jsonable(figures)
