"""The period report's tables (contracts.md section 3), laid out once for the web page and the PDF.

The same cells as the monthly report (`reports.tables.Cell`, `Row`, `Table`) and the same
drill-down (`reports.tables.drill`): every figure links to the audits it counts, filtered
by the period's months and scope. The tables are the ones the councils' own period
reports print: grades by programme and by team with "not graded" and the adjusted shares
(seed 003), returns and moderation over the period (seeds 002, 004), and the trend by
month and by quarter, by service area and by legal status.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from audits.models import GRADE_KEYS, MONTHLY_NAME, NOT_GRADED, Audit, Grade, Programme, ThemeKind
from audits.selectors import report_scope_from
from caseload.models import LegalStatus
from common.figures import percent as exact_percent
from common.periods import month_end, month_key, month_start, parse_month
from reports.cache import cached
from reports.period import ALL_PROGRAMMES, period_figures, period_quarters
from reports.reaudits import reaudit_impact_among
from reports.representation import Representation, representation
from reports.tables import (
    NO_LEARNING,
    REPRESENTATION_COLUMNS,
    Cell,
    Row,
    Table,
    drill,
    month_label,
    reaudit_table,
    representation_note,
    representation_rows,
    tables_html,
    theme_kind_table,
    themes_by_group_table,
    themes_by_strand_table,
)
from reports.targets import period_checks, report_targets
from reports.themes import good_practice_entries, theme_groups, theme_strands

GRADE_COLUMNS = [*(Grade(g).label for g in GRADE_KEYS), "Not graded", "Total", "Good or better"]
GRADE_NOTE = (
    "Final grades of returned audits (the moderator's where moderated). Each grade's share is of the graded "
    "audits (the adjusted share: audits not graded are left out); the not-graded share is of all returned audits."
)


def _grade_row(label: str, block: dict[str, Any], params: dict[str, Any], total: bool = False) -> Row:
    """One row of grades: counts with adjusted shares, not graded, total, and the good-or-better share."""
    counts, percent = block["counts"], block["percent"]
    cells = [
        Cell(counts[g], "count_percent", percent[g], drill(outcome="returned", grade=g, **params)) for g in GRADE_KEYS
    ]
    cells.append(
        Cell(
            counts[NOT_GRADED],
            "count_percent",
            block["percent_of_total"][NOT_GRADED],
            drill(outcome="returned", grade=NOT_GRADED, **params),
        )
    )
    cells.append(Cell(block["total"], url=drill(outcome="returned", **params)))
    good = counts[Grade.OUTSTANDING] + counts[Grade.GOOD]
    good_percent = percent_or_none(good, block["graded"])
    cells.append(
        Cell(
            good,
            "count_percent",
            good_percent,
            drill(outcome="returned", grade=[Grade.OUTSTANDING.value, Grade.GOOD.value], **params),
        )
    )
    return Row(label, cells, total=total)


def grade_summary(ratings: dict[str, Any]) -> str:
    """The period's grades in two shares, as the seeds' reports open (seed 003: "30% (38% adjusted) inadequate or
    requires improvement; 49% (62% adjusted) good or outstanding"): of every returned audit, and adjusted (of the
    graded only) where some were not graded. Blank when nothing was returned."""
    counts, total, graded = ratings["counts"], ratings["total"], ratings["graded"]
    if not total:
        return ""

    def share(part: int) -> str:
        whole = f"{exact_percent(part, total)}%"
        if graded == total:
            return whole
        adjusted = exact_percent(part, graded)
        return f"{whole}; {adjusted}% adjusted" if adjusted is not None else whole

    weak = counts[Grade.REQUIRES_IMPROVEMENT] + counts[Grade.INADEQUATE]
    good = counts[Grade.OUTSTANDING] + counts[Grade.GOOD]
    return f"Requires Improvement or Inadequate: {weak} ({share(weak)}). Good or Outstanding: {good} ({share(good)})."


def percent_or_none(part: int, whole: int) -> float | None:
    value = exact_percent(part, whole)
    return None if value is None else float(value)


def period_label(figures: dict[str, Any]) -> str:
    first, last = figures["from"], figures["to"]
    return month_label(first) if first == last else f"{month_label(first)} to {month_label(last)}"


@dataclass(frozen=True)
class PeriodView:
    """What every period table is built from: the figures, the programmes' slugs and the period's drill-down."""

    figures: dict[str, Any]
    # A programme's report name (`Monthly audit` for the monthly audit) to its slug, so its row drills to its audits.
    programme_names: dict[str, str]
    # The 12 months ending with the period's last month over the open caseload (None: not counted).
    representation: Representation | None = None
    # The learning themes beyond the contract's block: "groups" (reports.themes.theme_groups) and "strands".
    learning: dict[str, Any] | None = None
    # reports.reaudits.reaudit_impact_among over the period's re-audits (None: nothing counted).
    reaudit_impact: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return period_label(self.figures)

    @property
    def scope(self) -> dict[str, Any]:
        programme = self.figures["programme"]
        return {"programme": None if programme == "all" else programme, "service_area": self.figures["service_area"]}

    @property
    def period(self) -> dict[str, Any]:
        return {"month_from": self.figures["from"], "month_to": self.figures["to"], **self.scope}


def ratings_by_programme(p: PeriodView) -> Table:
    period, programme = p.period, p.scope["programme"]
    rows = [
        _grade_row(name, block, {**period, "programme": p.programme_names.get(name, programme)})
        for name, block in p.figures["ratings_by_programme"].items()
    ]
    rows.append(_grade_row("All programmes", p.figures["ratings"], period, total=True))
    return Table(
        "ratings_by_programme",
        f"Ratings by programme, {p.label}",
        GRADE_COLUMNS,
        rows,
        row_heading="Programme",
        note=GRADE_NOTE,
    )


def ratings_by_team(p: PeriodView) -> Table:
    period = p.period
    rows = [_grade_row(name, block, {**period, "team": name}) for name, block in p.figures["ratings_by_team"].items()]
    rows.append(_grade_row("All teams", p.figures["ratings"], period, total=True))
    return Table(
        "ratings_by_team",
        f"Ratings by team, {p.label}",
        GRADE_COLUMNS,
        rows,
        row_heading="Team",
        note="Teams with no returned audit in the period are left out. " + GRADE_NOTE,
    )


def ratings_by_month(p: PeriodView) -> Table:
    rows = [
        _grade_row(month_label(m["month"]), m, {**p.scope, "month": m["month"]}) for m in p.figures["ratings_by_month"]
    ]
    rows.append(_grade_row("Whole period", p.figures["ratings"], p.period, total=True))
    return Table("ratings_by_month", f"Ratings by month, {p.label}", GRADE_COLUMNS, rows, row_heading="Month")


def ratings_by_quarter(p: PeriodView) -> Table:
    quarters = period_quarters(parse_month(p.figures["from"]), parse_month(p.figures["to"]))
    rows = []
    for quarter, block in zip(quarters, p.figures["ratings_by_quarter"], strict=True):
        months = {"month_from": month_key(quarter.first), "month_to": month_key(quarter.last), **p.scope}
        rows.append(_grade_row(quarter.label, block, months))
    rows.append(_grade_row("Whole period", p.figures["ratings"], p.period, total=True))
    return Table(
        "ratings_by_quarter",
        f"Ratings by financial quarter, {p.label}",
        GRADE_COLUMNS,
        rows,
        row_heading="Quarter",
        note="A quarter the period starts or ends within counts only its months inside the period.",
    )


def ratings_by_service_area(p: PeriodView) -> Table:
    rows = [
        _grade_row(name, block, {**p.period, "service_area": name})
        for name, block in p.figures["ratings_by_service_area"].items()
    ]
    return Table(
        "ratings_by_service_area",
        f"Ratings by service area, {p.label}",
        GRADE_COLUMNS,
        rows,
        row_heading="Service area",
        note="" if rows else "No audit was returned in the period.",
    )


def ratings_by_legal_status(p: PeriodView) -> Table:
    rows = [
        _grade_row(LegalStatus(code).label, block, {**p.period, "legal_status": code})
        for code, block in p.figures["ratings_by_legal_status"].items()
    ]
    return Table(
        "ratings_by_legal_status",
        f"Ratings by legal status, {p.label}",
        GRADE_COLUMNS,
        rows,
        row_heading="Legal status",
    )


def returns(p: PeriodView) -> Table:
    r, period = p.figures["returns"], p.period
    return Table(
        "returns",
        f"Returns, {p.label}",
        ["Audits"],
        [
            Row("Planned", [Cell(r["planned"], url=drill(**period))]),
            Row("Exempted", [Cell(r["exempted"], url=drill(outcome="exempted", **period))]),
            Row("Scheduled", [Cell(r["scheduled"], url=drill(outcome="scheduled", **period))]),
            Row(
                "Returned",
                [Cell(r["returned"], "count_percent", r["returned_percent"], drill(outcome="returned", **period))],
            ),
            Row(
                "Returned late",
                [Cell(r["late"], "count_percent", r["late_percent"], drill(outcome="returned", late=True, **period))],
            ),
            Row("Nil returns", [Cell(r["nil_returns"], url=drill(outcome="nil_return", **period))]),
            Row("Sent back as not ready", [Cell(r["not_ready"], url=drill(outcome="not_ready", **period))]),
        ],
        row_heading="Allocations",
        note="Scheduled = planned less exempted. The returned share is of scheduled; the late share is of returned.",
    )


def moderation(p: PeriodView) -> Table:
    mod, period = p.figures["moderation"], p.period
    moderated = {"outcome": "returned", "moderated": True, **period}
    downgraded = Cell(
        mod["downgraded"], "count_percent", mod["downgraded_percent"], drill(moderation="downgraded", **moderated)
    )
    return Table(
        "moderation",
        f"Moderation, {p.label}",
        ["Audits"],
        [
            Row("Returned", [Cell(mod["returned"], url=drill(outcome="returned", **period))]),
            Row("Moderated", [Cell(mod["moderated"], "count_percent", mod["moderated_percent"], drill(**moderated))]),
            Row("Grade agreed", [Cell(mod["agreed"], url=drill(moderation="agreed", **moderated))]),
            Row("Upgraded by the moderator", [Cell(mod["upgraded"], url=drill(moderation="upgraded", **moderated))]),
            Row("Downgraded by the moderator", [downgraded]),
        ],
        row_heading="Audits",
        note="The moderated share is of returned audits; the downgraded share is of moderated audits.",
    )


def _representation(p: PeriodView, key: str, by: str, heading: str) -> Table:
    rep = p.representation
    last = month_label(p.figures["to"])
    title = f"Representation by {heading.lower()}: audits in the 12 months to {last} over open cases"
    if rep is None:
        return Table(key, title, REPRESENTATION_COLUMNS, [], row_heading=heading, note="Not counted.")
    shares = rep.teams if by == "team" else rep.service_areas
    rows = representation_rows(rep, shares, by, f"All {heading.lower()}s", p.scope)
    note = representation_note(rep) + " Over a period, the 12 months are those ending with its last month."
    return Table(key, title, REPRESENTATION_COLUMNS, rows, row_heading=heading, note=note)


def representation_by_service_area(p: PeriodView) -> Table:
    return _representation(p, "representation_by_service_area", "service_area", "Service area")


def representation_by_team(p: PeriodView) -> Table:
    return _representation(p, "representation_by_team", "team", "Team")


def _returned(p: PeriodView) -> dict[str, Any]:
    return {"outcome": "returned", **p.period}


def themes_improvement(p: PeriodView) -> Table:
    kind = ThemeKind.IMPROVEMENT.value
    return theme_kind_table(p.figures["themes"][kind], kind, p.label, _returned(p))


def themes_strength(p: PeriodView) -> Table:
    kind = ThemeKind.STRENGTH.value
    return theme_kind_table(p.figures["themes"][kind], kind, p.label, _returned(p))


def themes_by_team(p: PeriodView) -> Table:
    return themes_by_group_table((p.learning or NO_LEARNING)["groups"], "team", p.label, _returned(p))


def themes_by_service_area(p: PeriodView) -> Table:
    return themes_by_group_table((p.learning or NO_LEARNING)["groups"], "service_area", p.label, _returned(p))


def themes_by_strand(p: PeriodView) -> Table:
    return themes_by_strand_table((p.learning or NO_LEARNING)["strands"], p.label, _returned(p))


def reaudits(p: PeriodView) -> Table:
    """Impact of re-audit over the period, as the monthly report's table: every re-audit of the period's months
    against the audit it follows, whenever that was."""
    table = reaudit_table(p.figures["reaudits"], p.reaudit_impact, p.label, p.period)
    table.note += " The audits the period's re-audits follow may be from before the period."
    return table


# The period report's tables in reading order: a table's place here is its number.
PERIOD_TABLES: tuple[Callable[[PeriodView], Table], ...] = (
    ratings_by_programme,  # 1
    ratings_by_team,  # 2
    ratings_by_month,  # 3
    ratings_by_quarter,  # 4
    ratings_by_service_area,  # 5
    ratings_by_legal_status,  # 6
    returns,  # 7
    representation_by_service_area,  # 8
    representation_by_team,  # 9
    moderation,  # 10
    themes_improvement,  # 11
    themes_strength,  # 12
    themes_by_team,  # 13
    themes_by_service_area,  # 14
    themes_by_strand,  # 15
    reaudits,  # 16
)


def build_period_tables(
    figures: dict[str, Any],
    programme_names: dict[str, str],
    shares: Representation | None = None,
    learning: dict[str, Any] | None = None,
    reaudit_impact: dict[str, Any] | None = None,
) -> dict[str, Table]:
    """Every table of the period report, keyed by name and numbered by its place in `PERIOD_TABLES`."""
    view = PeriodView(figures, programme_names, representation=shares, learning=learning, reaudit_impact=reaudit_impact)
    tables: dict[str, Table] = {}
    for number, build in enumerate(PERIOD_TABLES, start=1):
        table = build(view)
        table.number = number
        tables[table.key] = table
    return tables


def period_report_context(
    first: datetime.date, last: datetime.date, *, programme: str = ALL_PROGRAMMES, service_area: str | None = None
) -> dict[str, Any]:
    """Everything the period report shows, gathered once for the web page and the PDF (the figures' queries
    and two for the scope's programme and service area, one for the programmes' slugs, one for the targets,
    three for the representation, five for the learning themes by team, service area and strand and the good
    practice recorded, three for the impact of re-audit).

    Computed once per period and scope and kept in the report cache until the data changes (reports/cache.py).
    The caller checks the months (`check_period`); an unknown programme or service area is a ValueError."""
    parts = (month_start(first), month_start(last), programme or ALL_PROGRAMMES, service_area or "")
    return cached(
        "period", parts, lambda: _period_report_context(first, last, programme=programme, service_area=service_area)
    )


def _period_report_context(
    first: datetime.date, last: datetime.date, *, programme: str, service_area: str | None
) -> dict[str, Any]:
    scope = report_scope_from(programme=programme, service_area=service_area, default=ALL_PROGRAMMES)
    figures = period_figures(first, last, scope)
    programme_names = programme_report_names()
    shares = representation(last, scope, window_first=first)
    targets = report_targets()
    of_period = scope.q() & Q(month__gte=month_start(first), month__lte=month_start(last))
    in_period = Audit.objects.filter(of_period)
    learning = {"groups": theme_groups(in_period), "strands": theme_strands(in_period)}
    tables = build_period_tables(figures, programme_names, shares, learning, reaudit_impact_among(of_period))
    return {
        "figures": figures,
        "tables": tables,
        "tables_html": tables_html(tables),
        "representation": shares,
        "targets": targets,
        "target_checks": period_checks(figures, shares, targets, period_label(figures)),
        "good_practice": good_practice_entries(in_period),
        "grade_summary": grade_summary(figures["ratings"]),
        "period_label": period_label(figures),
        "first": month_start(first),
        "last": month_start(last),
        "as_of": month_end(last),
        "scope_programme": scope_programme_label(figures["programme"], programme_names),
        "scope_service_area": figures["service_area"] or "All service areas",
    }


def programme_report_names() -> dict[str, str]:
    """Each programme's name in the report (`Monthly audit` for the monthly audit) and its slug (one query)."""
    return {
        (MONTHLY_NAME if kind == Programme.Kind.MONTHLY else name): slug
        for name, slug, kind in Programme.objects.values_list("name", "slug", "kind")
    }


def scope_programme_label(programme: str, names: dict[str, str] | None = None) -> str:
    """The scope's programme in words: "All programmes", or the programme's report name."""
    if programme in ("", ALL_PROGRAMMES):
        return "All programmes"
    names = programme_report_names() if names is None else names
    return next((name for name, slug in names.items() if slug == programme), programme)
