"""The report's tables, laid out once for the web page and the PDF.

Each cell carries its number and the address of the list behind it, so every
figure on the page links to the audits, actions or Children of Concern it
counts (the PDF prints the same cells without links). The lists are the
report's own audit drill-down (`reports:drilldown`) and, for actions and
Children of Concern, the action tracker and the Child of Concern list.

One function builds one table from a `Period` (the figures and the windows they
count over). `TABLES` lists them in reading order, and a table's place in that
list is its number on the page and in the PDF; `TEAM_LISTS` holds the lists of
team names, which are not numbered. `build_tables` walks both.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from actions.links import concern_figure_url
from audits.models import GRADE_KEYS, NOT_GRADED, Feedback, Grade, ThemeKind
from caseload.models import LegalStatus
from common.figures import percent
from common.periods import add_months, month_key, parse_month, quarters_ending
from reports.representation import Representation, Share

GRADE_LABELS = dict(Grade.choices)
GRADE_COLUMNS = [GRADE_LABELS[g] for g in GRADE_KEYS] + ["Total"]


@dataclass
class Cell:
    """A number on the report. `kind` is "count", "percent" or "count_percent" (a count with its share)."""

    value: Any
    kind: str = "count"
    percent: float | None = None
    url: str = ""


NO_DATA = Cell(None, "no_data")


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: bool = False
    # A month before the authority's first data: one "No data yet" across the row instead of zeros.
    no_data: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    row_heading: str = ""
    note: str = ""
    number: int = 0
    # Set when the report month is before the authority's first audits: said once in place of rows of zeros.
    no_data: str = ""


def tables_html(tables: dict[str, Any]) -> dict[str, str]:
    """Each table as the web page shows it (reports/_table.html), written when the report is computed so that the
    report cache keeps it: a month's two dozen tables cost its page more than everything else once the figures
    are kept. The PDF writes its own (no links). `{% report_table %}` takes them."""
    from django.template.loader import render_to_string

    return {
        key: render_to_string("reports/_table.html", {"table": table})
        for key, table in tables.items()
        if isinstance(table, Table)
    }


@dataclass
class TeamList:
    key: str
    title: str
    teams: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    empty: str = "None."


@dataclass(frozen=True)
class Period:
    """What every table is built from: the figures, the practice areas and the windows they count over."""

    figures: dict[str, Any]
    areas: list[dict[str, Any]]
    # The authority's first audit month; None: no data at all.
    first_data_month: datetime.date | None
    # reports.reaudits.reaudit_impact: what lies behind the contract's `reaudits` block (None: nothing counted).
    reaudit_impact: dict[str, Any] | None = None
    # reports.representation.representation: the 12 months' audits over the open caseload (None: not counted).
    representation: Representation | None = None
    # The learning themes beyond the contract's block (reports.themes): "trend" (theme_trend), "groups"
    # (theme_groups) and "strands" (theme_strands). None: nothing counted (the tables say so).
    learning: dict[str, Any] | None = None
    # Whether the scope's audits may be returned "not graded" (its programme allows it).
    not_graded_allowed: bool = False

    @property
    def month(self) -> str:
        return self.figures["month"]

    @property
    def as_of(self) -> str:
        return self.figures["as_of"]

    @property
    def first(self) -> datetime.date:
        return parse_month(self.month)

    @property
    def three_from(self) -> str:
        return month_key(add_months(self.first, -2))

    @property
    def six_from(self) -> str:
        return month_key(add_months(self.first, -5))

    @property
    def before_first_data(self) -> bool:
        return before_first_data(self.month, self.first_data_month)


def month_label(key: str) -> str:
    return parse_month(key).strftime("%b %Y")


def drill(**params: Any) -> str:
    """The drill-down list of audits filtered by `params` (None and False are left out)."""
    query = []
    for name, value in params.items():
        if value is None or value is False:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            query.append((name, "1" if item is True else str(item)))
    return f"{reverse('reports:drilldown')}?{urlencode(query)}"


def _actions_url(**params: Any) -> str:
    return f"{reverse('actions:list')}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def _grade_cells(block: dict[str, Any], **params: Any) -> list[Cell]:
    return [
        Cell(block["counts"][g], "count_percent", block["percent"][g], drill(grade=g, **params)) for g in GRADE_KEYS
    ]


def before_first_data(month: str, first_data_month: datetime.date | None) -> bool:
    """True for a `YYYY-MM` month before the authority's first audit month (or when there is no data at all)."""
    return first_data_month is None or parse_month(month) < first_data_month


def _blank_columns(rows: list[Row], empty: list[bool]) -> None:
    """Periods across: the column of a period with no data yet shows "No data yet" instead of its zeros."""
    for row in rows:
        row.cells = [NO_DATA if empty[i] else cell for i, cell in enumerate(row.cells)]


def _day_label(iso_day: str) -> str:
    day = datetime.date.fromisoformat(iso_day)
    return f"{day.day} {day:%b %Y}"


NOT_GRADED_NOTE = (
    "Not graded: returned with no overall grade, as the programme allows. Each grade's share is of the graded "
    "audits (the adjusted share): the audits not graded count in the total but not in the shares."
)


def shows_not_graded(p: Period, blocks: Iterable[dict[str, Any]]) -> bool:
    """Whether a table of grades (1 to 3) counts the audits not graded: where the scope's audits may be not
    graded, or where the table's grade blocks hold some (every programme, imported NA history). Otherwise the
    table stays as it always was."""
    return p.not_graded_allowed or any(block["counts"][NOT_GRADED] for block in blocks)


def not_graded_cell(block: dict[str, Any], **params: Any) -> Cell:
    """A block's audits not graded, linked to them: a count outside the shares, which are of the graded audits
    (the adjusted shares), yet inside the total, which would not add up without it."""
    return Cell(block["counts"][NOT_GRADED], url=drill(**params, grade=NOT_GRADED))


# The numbered tables, in reading order.


def ratings_by_month(p: Period) -> Table:
    """Grades down, the three months across."""
    by_month = p.figures["ratings_by_month"]
    rows = [
        Row(
            GRADE_LABELS[g],
            [
                Cell(
                    m["counts"][g],
                    "count_percent",
                    m["percent"][g],
                    drill(month=m["month"], outcome="returned", grade=g),
                )
                for m in by_month
            ],
        )
        for g in GRADE_KEYS
    ]
    not_graded = shows_not_graded(p, by_month)
    if not_graded:
        rows.append(Row("Not graded", [not_graded_cell(m, month=m["month"], outcome="returned") for m in by_month]))
    rows.append(
        Row("Total", [Cell(m["total"], url=drill(month=m["month"], outcome="returned")) for m in by_month], total=True)
    )
    _blank_columns(rows, [before_first_data(m["month"], p.first_data_month) for m in by_month])
    return Table(
        "ratings_by_month",
        "Audit ratings by month (final grade: number and share)",
        [month_label(m["month"]) for m in by_month],
        rows,
        row_heading="Grade",
        note=NOT_GRADED_NOTE if not_graded else "",
    )


def ratings_by_quarter(p: Period) -> Table:
    """Grades down, five financial quarters across."""
    quarters = p.figures["ratings_by_quarter"]
    # The same quarters the figures were counted over (the last one ends at the report month).
    spans = quarters_ending(p.first, len(quarters))
    ranges = [(month_key(q.start), month_key(add_months(q.end, -1))) for q in spans]
    rows = [
        Row(
            GRADE_LABELS[g],
            [
                Cell(
                    q["counts"][g],
                    "count_percent",
                    q["percent"][g],
                    drill(month_from=a, month_to=b, outcome="returned", grade=g),
                )
                for q, (a, b) in zip(quarters, ranges, strict=True)
            ],
        )
        for g in GRADE_KEYS
    ]
    not_graded = shows_not_graded(p, quarters)
    if not_graded:
        rows.append(
            Row(
                "Not graded",
                [
                    not_graded_cell(q, month_from=a, month_to=b, outcome="returned")
                    for q, (a, b) in zip(quarters, ranges, strict=True)
                ],
            )
        )
    rows.append(
        Row(
            "Total",
            [
                Cell(q["total"], url=drill(month_from=a, month_to=b, outcome="returned"))
                for q, (a, b) in zip(quarters, ranges, strict=True)
            ],
            total=True,
        )
    )
    _blank_columns(rows, [p.first_data_month is None or span.end <= p.first_data_month for span in spans])
    return Table(
        "ratings_by_quarter",
        "Audit ratings by quarter (financial year; the last quarter runs to the report month)",
        [q["quarter"] for q in quarters],
        rows,
        row_heading="Grade",
        note=NOT_GRADED_NOTE if not_graded else "",
    )


def ratings_by_legal_status(p: Period) -> Table:
    """The six legal statuses over three months (grades across: the not graded, where shown, a column)."""
    by_status = p.figures["ratings_by_legal_status"]
    not_graded = shows_not_graded(p, by_status.values())
    rows = []
    for code, block in by_status.items():
        period = {"month_from": p.three_from, "month_to": p.month, "outcome": "returned", "legal_status": code}
        cells = _grade_cells(block, **period)
        if not_graded:
            cells.append(not_graded_cell(block, **period))
        cells.append(Cell(block["total"], url=drill(**period)))
        rows.append(Row(LegalStatus(code).label, cells))
    return Table(
        "ratings_by_legal_status",
        f"Ratings by legal status, {month_label(p.three_from)} to {month_label(p.month)}",
        [*GRADE_COLUMNS[:-1], "Not graded", GRADE_COLUMNS[-1]] if not_graded else list(GRADE_COLUMNS),
        rows,
        row_heading="Legal status",
        note=NOT_GRADED_NOTE if not_graded else "",
    )


def ratings_by_practice_area(p: Period) -> Table:
    """The auditors' practice-area grades over three months."""
    rows = []
    for area in p.areas:
        period = {"month_from": p.three_from, "month_to": p.month, "outcome": "returned", "practice_area": area["area"]}
        block = area["three_months"]
        cells = [
            Cell(block["counts"][g], "count_percent", block["percent"][g], drill(area_grade=g, **period))
            for g in GRADE_KEYS
        ]
        cells.append(Cell(block["total"]))
        rows.append(Row(area["area"], cells))
    return Table(
        "ratings_by_practice_area",
        f"Ratings by practice area, {month_label(p.three_from)} to {month_label(p.month)} (auditors' area grades)",
        list(GRADE_COLUMNS),
        rows,
        row_heading="Practice area",
        note="" if p.areas else "No practice areas were graded in these months.",
    )


def at_risk(p: Period) -> Table:
    """Inadequate and at risk of becoming Inadequate, in the report month."""
    risk, month = p.figures["at_risk"], p.month
    returned = {"month": month, "outcome": "returned"}
    rows = [
        Row("Inadequate", [Cell(risk["inadequate"], url=drill(**returned, grade="inadequate"))]),
        Row(
            "Requires Improvement, at risk of becoming Inadequate",
            [Cell(risk["at_risk"], url=drill(**returned, grade="requires_improvement", at_risk=True))],
        ),
        Row(
            "Both together, share of returned audits",
            [
                Cell(
                    risk["inadequate"] + risk["at_risk"],
                    "count_percent",
                    risk["percent"],
                    drill(**returned, inadequate_or_at_risk=True),
                )
            ],
            total=True,
        ),
        Row("Returned audits", [Cell(risk["total"], url=drill(**returned))], total=True),
    ]
    return Table(
        "at_risk",
        f"Inadequate and at risk of becoming Inadequate, {month_label(month)}",
        ["Audits"],
        rows,
        row_heading="Final grade",
    )


def feedback(p: Period) -> Table:
    """Feedback from children and from parents in the report month."""
    rows = []
    for who, label in (("child", "Children and young people"), ("parent", "Parents and carers")):
        block = p.figures["feedback"][who]
        field_name = f"{who}_feedback"
        cells = [Cell(block["responses"], url=drill(month=p.month, outcome="returned", **{field_name: "any"}))]
        for feeling in Feedback.values:
            url = drill(month=p.month, outcome="returned", **{field_name: feeling})
            cells.append(Cell(block[f"{feeling}_percent"], "percent", url=url))
        rows.append(Row(label, cells))
    return Table(
        "feedback",
        f"Feedback on the service, {month_label(p.month)}",
        ["Responses", "Positive", "Mixed", "Negative"],
        rows,
        row_heading="Who",
    )


def children_of_concern(p: Period) -> Table:
    """Children of Concern raised by the month's audits, counted as of the report's date (as the figures are)."""
    coc = p.figures["children_of_concern"]
    as_of_day = datetime.date.fromisoformat(p.as_of)
    return Table(
        "children_of_concern",
        f"Children of Concern from audits of {month_label(p.month)} (resolved by {_day_label(p.as_of)})",
        ["Number"],
        [
            # actions.links holds the filters of the Child of Concern list.
            Row(label, [Cell(coc[key], url=concern_figure_url(p.first, as_of_day, key))])
            for key, label in (("raised", "Raised"), ("resolved", "Resolved"), ("open", "Still open"))
        ],
        row_heading="Children of Concern",
    )


def returns(p: Period) -> Table:
    """Returns over twelve months, one month a row."""
    rows = []
    for r in p.figures["returns"]:
        m = r["month"]
        cells = [
            Cell(r["planned"], url=drill(month=m)),
            Cell(r["exempted"], url=drill(month=m, outcome="exempted")),
            Cell(r["scheduled"], url=drill(month=m, outcome="scheduled")),
            Cell(r["returned"], url=drill(month=m, outcome="returned")),
            Cell(r["returned_percent"], "percent"),
            Cell(r["late"], url=drill(month=m, outcome="returned", late=True)),
            Cell(r["late_percent"], "percent"),
            Cell(r["nil_returns"], url=drill(month=m, outcome="nil_return")),
            Cell(r["not_ready"], url=drill(month=m, outcome="not_ready")),
        ]
        rows.append(Row(month_label(m), cells, no_data=before_first_data(m, p.first_data_month)))
    return Table(
        "returns",
        "Returns over twelve months",
        ["Planned", "Exempted", "Scheduled", "Returned", "% returned", "Late", "% late", "Nil returns", "Not ready"],
        rows,
        row_heading="Month",
        note="Scheduled = planned less exempted. % returned is of scheduled; % late is of returned.",
    )


REPRESENTATION_COLUMNS = ["Audits returned in the 12 months", "Open cases now", "Representation"]


def representation_rows(
    rep: Representation, shares: list[Share], by: str, total_label: str, scope: dict[str, Any] | None = None
) -> list[Row]:
    """One row per team or service area (`by`: the drill-down's filter) and a total row: returned audits linked to
    their list, open cases, and the one over the other. Shared by the monthly and the period report (whose links
    carry its `scope`; the monthly report's are narrowed to its scope by `scope_links`)."""
    months = {"month_from": rep.month_from, "month_to": rep.month_to, "outcome": "returned", **(scope or {})}

    def row(share: Share, total: bool = False) -> Row:
        url = drill(**months) if total else drill(**{**months, by: share.name})
        cells = [Cell(share.returned, url=url), Cell(share.open_cases), Cell(share.percent, "percent")]
        return Row(total_label if total else share.name, cells, total=total)

    return [*(row(share) for share in shares), row(rep.overall, total=True)]


def representation_note(rep: Representation) -> str:
    return (
        f"Audits returned from {month_label(rep.month_from)} to {month_label(rep.month_to)} over the children open in "
        "the caseload now. An audit counts for the team and service area it was recorded against; an open case for "
        "its team and that team's service area."
    )


def _representation_table(p: Period, key: str, by: str, heading: str) -> Table:
    rep = p.representation
    title = f"Representation by {heading.lower()}: audits in 12 months over open cases"
    if rep is None:
        return Table(key, title, REPRESENTATION_COLUMNS, [], row_heading=heading, note="Not counted.")
    shares = rep.teams if by == "team" else rep.service_areas
    rows = representation_rows(rep, shares, by, f"All {heading.lower()}s")
    return Table(key, title, REPRESENTATION_COLUMNS, rows, row_heading=heading, note=representation_note(rep))


def representation_by_service_area(p: Period) -> Table:
    """Audits returned in the 12 months to the report month over the open caseload, by service area."""
    return _representation_table(p, "representation_by_service_area", "service_area", "Service area")


def representation_by_team(p: Period) -> Table:
    """The same, by team."""
    return _representation_table(p, "representation_by_team", "team", "Team")


def participation(p: Period) -> Table:
    """Who took part in the month's returned audits."""
    part = p.figures["participation"]
    took_part = [
        ("social_worker", "Social worker took part", "social_worker_percent"),
        ("manager", "Manager took part", "manager_percent"),
        ("iro", "IRO or CP chair's views obtained (where the child has one)", "iro_percent"),
        ("child", "Child or young person spoken to", "child_percent"),
        ("parent", "Parent or carer spoken to", "parent_percent"),
    ]
    return Table(
        "participation",
        f"Participation in the {part['audits']} audits returned in {month_label(p.month)}",
        ["Share of audits"],
        [
            Row(label, [Cell(part[key], "percent", url=drill(month=p.month, outcome="returned", took_part=who))])
            for who, label, key in took_part
        ],
        row_heading="Who took part",
    )


def _moderated(p: Period) -> dict[str, Any]:
    return {"month": p.month, "outcome": "returned", "moderated": True}


def moderation(p: Period) -> Table:
    """Moderation of the month's returned audits."""
    mod, moderated, blank = p.figures["moderation"], _moderated(p), Cell(None, "blank")
    rows = [
        Row("Returned", [Cell(mod["returned"], url=drill(month=p.month, outcome="returned")), blank]),
        Row("Moderated", [Cell(mod["moderated"], url=drill(**moderated)), Cell(mod["moderated_percent"], "percent")]),
        Row("Grade agreed", [Cell(mod["agreed"], url=drill(moderation="agreed", **moderated)), blank]),
        Row("Upgraded by the moderator", [Cell(mod["upgraded"], url=drill(moderation="upgraded", **moderated)), blank]),
        Row(
            "Downgraded by the moderator",
            [
                Cell(mod["downgraded"], url=drill(moderation="downgraded", **moderated)),
                Cell(mod["downgraded_percent"], "percent"),
            ],
        ),
    ]
    return Table(
        "moderation",
        f"Moderation of audits returned in {month_label(p.month)}",
        ["Number", "Share"],
        rows,
        row_heading="Audits",
        note="The share moderated is of returned audits; the share downgraded is of moderated audits.",
    )


def primary_vs_moderated(p: Period) -> Table:
    """Auditors' grades beside moderators' grades for the month's moderated audits."""
    pvm, moderated = p.figures["primary_vs_moderated"], _moderated(p)
    primary, final = pvm["primary"], pvm["final"]
    rows = [
        Row(
            GRADE_LABELS[g],
            [
                Cell(primary["counts"][g], "count_percent", primary["percent"][g], drill(auditor_grade=g, **moderated)),
                Cell(final["counts"][g], "count_percent", final["percent"][g], drill(grade=g, **moderated)),
            ],
        )
        for g in GRADE_KEYS
    ]
    return Table(
        "primary_vs_moderated",
        f"Auditors' grades beside moderators' grades, {pvm['moderated']} audits moderated in {month_label(p.month)}",
        ["Auditor's grade", "Moderator's grade"],
        rows,
        row_heading="Grade",
    )


def moderator_effect(p: Period) -> Table:
    """Moderator effect over five months, one month a row."""
    rows = []
    for r in p.figures["moderator_effect"]:
        m = {"month": r["month"], "outcome": "returned", "moderated": True}
        cells = [
            Cell(r["moderated"], url=drill(**m)),
            Cell(r["upgraded_percent"], "percent", url=drill(moderation="upgraded", **m)),
            Cell(r["downgraded_percent"], "percent", url=drill(moderation="downgraded", **m)),
            Cell(
                r["inadequate_downgraded_percent"],
                "percent",
                url=drill(moderation="downgraded", grade="inadequate", **m),
            ),
        ]
        rows.append(Row(month_label(r["month"]), cells, no_data=before_first_data(r["month"], p.first_data_month)))
    return Table(
        "moderator_effect",
        "Moderator effect over five months",
        ["Moderated", "% upgraded", "% downgraded", "% of moderators' Inadequate graded higher by the auditor"],
        rows,
        row_heading="Month",
    )


def actions(p: Period) -> Table:
    """Actions from the audits of three months by status as of the report's date, and older ones still open."""
    act, as_of = p.figures["actions"], p.as_of
    window = {"audit_month_from": p.three_from, "audit_month_to": p.month, "as_of": as_of}
    status_rows = [
        ("overdue", "Overdue"),
        ("completed_late", "Completed late"),
        ("completed_on_time", "Completed on time"),
        ("not_yet_due", "Not yet due"),
    ]
    rows = [
        Row(label, [Cell(act[key], url=_actions_url(status=key, **window)), Cell(act[f"{key}_percent"], "percent")])
        for key, label in status_rows
    ]
    rows.append(Row("All actions", [Cell(act["total"], url=_actions_url(**window)), Cell(None, "blank")], total=True))
    older = _actions_url(status="open", audit_month_before=p.three_from, as_of=as_of)
    rows.append(
        Row(
            f"Still open from audits before {month_label(p.three_from)}",
            [Cell(act["older_open"], url=older), Cell(None, "blank")],
        )
    )
    return Table(
        "actions",
        f"Actions from audits of {month_label(p.three_from)} to {month_label(p.month)}, as of {_day_label(as_of)}",
        ["Actions", "Share"],
        rows,
        row_heading="Status",
    )


def awaiting_finalisation(p: Period) -> Table:
    """Moderated audits the auditor has not finalised, by audit month."""
    waiting, as_of = p.figures["awaiting_finalisation"], p.as_of
    return Table(
        "awaiting_finalisation",
        f"Moderated audits not yet finalised by the auditor on {_day_label(as_of)}",
        ["Audits"],
        [
            Row(month_label(w["month"]), [Cell(w["count"], url=drill(month=w["month"], awaiting_finalisation=as_of))])
            for w in waiting
        ],
        row_heading="Audit month",
        note="" if waiting else "None: every moderated audit has been finalised.",
    )


# Table N of the report is TABLES[N - 1]: add a table here, in its place, and the numbers after it follow.
NO_REAUDIT_IMPACT = {
    "areas": {"compared": 0, "up": 0, "same": 0, "down": 0},
    "audits_with_area_up": 0,
    "actions": {"total": 0, "completed": 0, "completed_percent": None},
}


def reaudits(p: Period) -> Table:
    """Impact of re-audit: the contract's block and what lies behind it, each number linked to the re-audits."""
    label = f"{datetime.date.fromisoformat(p.month + '-01'):%B %Y}"
    return reaudit_table(p.figures["reaudits"], p.reaudit_impact, label, {"month": p.month})


def reaudit_table(block: dict[str, Any], impact: dict[str, Any] | None, label: str, params: dict[str, Any]) -> Table:
    """The impact of re-audit for the re-audits of `label` (a month or a period): the contract's `reaudits`
    block, the `reaudit_impact` beside it (None: nothing counted), and each number linked to the re-audits it
    counts through the drill-down filtered by `params` (the month or months, and the scope). Shared by the
    monthly and the period report."""
    impact = impact or NO_REAUDIT_IMPACT

    def link(name: str) -> str:
        return drill(**params, reaudit=name)

    rows = [
        Row("Re-audits returned", [Cell(block["returned"], url=link("returned"))], total=True),
        Row(
            "Improved on the earlier final grade",
            [Cell(block["improved"], "count_percent", block["improved_percent"], link("improved"))],
        ),
        Row("Kept the same final grade", [Cell(block["same"], url=link("same"))]),
        Row("Graded lower than before", [Cell(block["worse"], url=link("worse"))]),
        Row(
            "Re-audits with a practice area graded higher",
            [Cell(impact["audits_with_area_up"], url=link("area_up"))],
        ),
        Row(
            "Practice areas graded higher (upscaling)",
            [Cell(impact["areas"]["up"], "count_percent", _share(impact["areas"], "up"), link("area_up"))],
        ),
        Row(
            "Practice areas graded the same",
            [Cell(impact["areas"]["same"], "count_percent", _share(impact["areas"], "same"), link("area_same"))],
        ),
        Row(
            "Practice areas graded lower",
            [Cell(impact["areas"]["down"], "count_percent", _share(impact["areas"], "down"), link("area_down"))],
        ),
        Row(
            "Earlier audits' actions completed by the re-audit",
            [
                Cell(
                    impact["actions"]["completed"],
                    "count_percent",
                    _float(impact["actions"]["completed_percent"]),
                    link("returned"),
                )
            ],
        ),
        Row("Earlier audits' actions in all", [Cell(impact["actions"]["total"], url=link("returned"))]),
    ]
    return Table(
        "reaudits",
        f"Impact of re-audit: re-audits of {label} compared with the audits they follow",
        ["Number (share)"],
        rows,
        row_heading="Figure",
        note=(
            "A re-audit is compared by final grade with the audit it follows; one where either has no overall "
            "grade counts as returned only. Practice areas are compared where both audits graded them (neither "
            "marked Not applicable); their shares are of the areas compared. The links for practice areas list "
            "the re-audits with at least one such area."
        ),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _share(areas: dict[str, int], key: str) -> float | None:
    return _float(percent(areas[key], areas["compared"]))


NO_LEARNING: dict[str, Any] = {
    "trend": {"months": [], "themes": []},
    "groups": {"themes": [], "team": [], "service_area": []},
    "strands": [],
}


def _learning(p: Period) -> dict[str, Any]:
    return p.learning or NO_LEARNING


THEME_KIND_TITLES = {
    ThemeKind.IMPROVEMENT.value: "Learning themes: areas for improvement",
    ThemeKind.STRENGTH.value: "Learning themes: strengths",
}


def theme_kind_table(items: list[dict[str, Any]], kind: str, label: str, params: dict[str, Any]) -> Table:
    """One kind of theme (areas for improvement or strengths): audits tagged and their share of those returned.

    `params` are the drill-down's filters for the report's returned audits (its month or months)."""
    rows = [
        Row(
            item["theme"],
            [
                Cell(
                    item["audits"],
                    "count_percent",
                    item["percent"],
                    drill(theme=item["theme"], theme_kind=kind, **params),
                )
            ],
        )
        for item in items
    ]
    return Table(
        f"themes_{kind}",
        f"{THEME_KIND_TITLES[kind]}, {label}",
        ["Audits (share of returned)"],
        rows,
        row_heading="Theme",
        note="" if rows else f"No returned audit of {label} was tagged with a theme of this kind.",
    )


def themes_improvement(p: Period) -> Table:
    return theme_kind_table(
        p.figures["themes"][ThemeKind.IMPROVEMENT], ThemeKind.IMPROVEMENT, month_label(p.month), _returned_in(p)
    )


def themes_strength(p: Period) -> Table:
    return theme_kind_table(
        p.figures["themes"][ThemeKind.STRENGTH], ThemeKind.STRENGTH, month_label(p.month), _returned_in(p)
    )


def _returned_in(p: Period) -> dict[str, Any]:
    return {"month": p.month, "outcome": "returned"}


def themes_trend(p: Period) -> Table:
    """The top areas for improvement month by month over twelve months, each figure's share of that month's returns."""
    trend = _learning(p)["trend"]
    returned = {row["month"]: row["returned"] for row in p.figures["returns"]}
    improvement = ThemeKind.IMPROVEMENT.value
    rows = [
        Row(
            item["theme"],
            [
                Cell(
                    n,
                    "count_percent",
                    _float(percent(n, returned.get(m, 0))),
                    drill(month=m, outcome="returned", theme=item["theme"], theme_kind=improvement),
                )
                for m, n in zip(trend["months"], item["counts"], strict=True)
            ],
        )
        for item in trend["themes"]
    ]
    return Table(
        "themes_trend",
        f"Most frequent areas for improvement over twelve months to {month_label(p.month)}: audits tagged by month",
        [month_label(m) for m in trend["months"]],
        rows,
        row_heading="Theme",
        note="" if rows else "No returned audit of these months was tagged with an area for improvement.",
    )


GROUP_HEADINGS = {"team": ("Team", "team"), "service_area": ("Service area", "service area")}


def themes_by_group_table(groups: dict[str, Any], group: str, label: str, params: dict[str, Any]) -> Table:
    """Rows of teams (`group` "team") or service areas ("service_area"), the most frequent areas for improvement
    across: how many returned audits of each carry each theme, every figure linking to those audits."""
    heading, noun = GROUP_HEADINGS[group]
    improvement = ThemeKind.IMPROVEMENT.value
    rows = [
        Row(
            entry["name"],
            [
                Cell(n, url=drill(theme=theme, theme_kind=improvement, **{**params, group: entry["name"]}))
                for theme, n in entry["counts"].items()
            ],
        )
        for entry in groups[group]
    ]
    return Table(
        f"themes_by_{group}",
        f"Most frequent areas for improvement by {noun}, {label}: audits tagged",
        list(groups["themes"]),
        rows,
        row_heading=heading,
        note=(
            f"Each {noun} with a returned audit tagged with one of these themes. Columns: the most frequent areas "
            "for improvement over the whole report."
            if rows
            else "No returned audit was tagged with an area for improvement."
        ),
    )


def themes_by_team(p: Period) -> Table:
    return themes_by_group_table(_learning(p)["groups"], "team", month_label(p.month), _returned_in(p))


def themes_by_service_area(p: Period) -> Table:
    return themes_by_group_table(_learning(p)["groups"], "service_area", month_label(p.month), _returned_in(p))


def themes_by_strand_table(strands: list[dict[str, Any]], label: str, params: dict[str, Any]) -> Table:
    """Each improvement-plan strand: its themes, and the returned audits tagged with one of them by kind."""
    rows = [
        Row(
            entry["strand"],
            [
                Cell("; ".join(entry["themes"]), "text"),
                *(
                    Cell(entry[kind], url=drill(strand=entry["strand"], theme_kind=kind, **params))
                    for kind in (ThemeKind.IMPROVEMENT.value, ThemeKind.STRENGTH.value)
                ),
            ],
        )
        for entry in strands
    ]
    return Table(
        "themes_by_strand",
        f"Learning themes by improvement-plan strand, {label}: audits tagged",
        ["Themes", "Areas for improvement", "Strengths"],
        rows,
        row_heading="Strand",
        note=(
            "An audit tagged with two themes of one strand counts once. Themes without a strand are left out."
            if rows
            else "No theme is tied to a strand of the improvement plan yet (the QA team sets it on the themes page)."
        ),
    )


def themes_by_strand(p: Period) -> Table:
    return themes_by_strand_table(_learning(p)["strands"], month_label(p.month), _returned_in(p))


TABLES: tuple[Callable[[Period], Table], ...] = (
    ratings_by_month,  # 1
    ratings_by_quarter,  # 2
    ratings_by_legal_status,  # 3
    ratings_by_practice_area,  # 4
    at_risk,  # 5
    feedback,  # 6
    children_of_concern,  # 7
    returns,  # 8
    representation_by_service_area,  # 9
    representation_by_team,  # 10
    participation,  # 11
    moderation,  # 12
    primary_vs_moderated,  # 13
    moderator_effect,  # 14
    actions,  # 15
    reaudits,  # 16
    awaiting_finalisation,  # 17
    themes_improvement,  # 18
    themes_strength,  # 19
    themes_trend,  # 20
    themes_by_team,  # 21
    themes_by_service_area,  # 22
    themes_by_strand,  # 23
)


# The lists of team names (not numbered).


def three_plus_good_6_months(p: Period) -> TeamList:
    good, span = ["outstanding", "good"], f"{month_label(p.six_from)} to {month_label(p.month)}"
    return TeamList(
        "three_plus_good_6_months",
        f"Teams with three or more audits graded Good or Outstanding, {span}",
        [
            (name, drill(month_from=p.six_from, month_to=p.month, team=name, outcome="returned", grade=good))
            for name in p.figures["teams"]["three_plus_good_6_months"]
        ],
    )


def three_plus_inadequate_6_months(p: Period) -> TeamList:
    return TeamList(
        "three_plus_inadequate_6_months",
        f"Teams with three or more audits graded Inadequate, {month_label(p.six_from)} to {month_label(p.month)}",
        [
            (name, drill(month_from=p.six_from, month_to=p.month, team=name, outcome="returned", grade="inadequate"))
            for name in p.figures["teams"]["three_plus_inadequate_6_months"]
        ],
    )


def not_audited(p: Period) -> TeamList:
    return TeamList(
        "not_audited",
        f"Teams allocated an audit in {month_label(p.month)} with none returned",
        [(name, drill(month=p.month, team=name)) for name in p.figures["teams"]["not_audited"]],
    )


def audited_once_in_3_months(p: Period) -> TeamList:
    return TeamList(
        "audited_once_in_3_months",
        f"Teams audited only once, {month_label(p.three_from)} to {month_label(p.month)}",
        [
            (name, drill(month_from=p.three_from, month_to=p.month, team=name, outcome="returned"))
            for name in p.figures["teams"]["audited_once_in_3_months"]
        ],
    )


# The tables that count only the report month's audits (or those of the three months ending with it): for a
# month before the authority's first audits they say so once instead of showing rows of zeros. The trends (1,
# 2, 8, 14) mark their empty periods themselves; 4 and 16 have a note when empty; 15 shows dashes for shares;
# representation (9, 10) counts the open caseload, which exists before any audit.
COUNT_THE_MONTH = frozenset(
    {ratings_by_legal_status, at_risk, feedback, children_of_concern, participation, moderation, primary_vs_moderated}
)


def no_audits_yet(first_data_month: datetime.date | None) -> str:
    if first_data_month is None:
        return "No audits yet: there are no audits to count."
    return f"No audits yet: the first audits are from {first_data_month:%B %Y}."


TEAM_LISTS: tuple[Callable[[Period], TeamList], ...] = (
    three_plus_good_6_months,
    three_plus_inadequate_6_months,
    not_audited,
    audited_once_in_3_months,
)


def build_tables(
    figures: dict[str, Any],
    areas: list[dict[str, Any]],
    first_data_month: datetime.date | None = None,
    reaudit_impact: dict[str, Any] | None = None,
    representation: Representation | None = None,
    learning: dict[str, Any] | None = None,
    *,
    not_graded_allowed: bool = False,
) -> dict[str, Table | TeamList]:
    """Every table and team list of the report, keyed by name; tables numbered by their place in `TABLES`.

    Months and quarters that end before `first_data_month` (the authority's first audit month; None: no
    data at all) show "No data yet" rather than zeros that read like figures, and a report month before it
    says "No audits yet" once in each table of that month's audits. The figures (and the JSON) keep their zeros.
    Tables 1 and 2 add a "Not graded" row, and table 3 a column, where `not_graded_allowed` (the scope's
    programme allows it) or where the table's months hold audits not graded (`shows_not_graded`).
    """
    period = Period(figures, areas, first_data_month, reaudit_impact, representation, learning, not_graded_allowed)
    tables: dict[str, Table | TeamList] = {}
    for number, build in enumerate(TABLES, start=1):
        table = build(period)
        table.number = number
        if build in COUNT_THE_MONTH and period.before_first_data:
            table.no_data = no_audits_yet(first_data_month)
        tables[table.key] = table
    for build_list in TEAM_LISTS:
        team_list = build_list(period)
        tables[team_list.key] = team_list
    return scope_links(tables, figures)


def scope_links(tables: dict[str, Table | TeamList], figures: dict[str, Any]) -> dict[str, Table | TeamList]:
    """Every drill-down link narrowed to the report's scope, so the list behind a figure holds exactly the
    audits it counts: the programme (`monthly` or a slug; none for `all`) and the service area, if one."""
    scope = {}
    if figures.get("programme") not in (None, "all"):
        scope["programme"] = figures["programme"]
    if figures.get("service_area"):
        scope["service_area"] = figures["service_area"]
    if not scope:
        return tables
    prefix, suffix = reverse("reports:drilldown") + "?", "&" + urlencode(scope)

    def scoped(url: str | None) -> str | None:
        return url + suffix if url and url.startswith(prefix) and suffix not in url else url

    for table in tables.values():
        if isinstance(table, TeamList):
            table.teams = [(name, scoped(url)) for name, url in table.teams]
            continue
        for row in table.rows:
            for cell in row.cells:
                cell.url = scoped(cell.url)
    return tables
