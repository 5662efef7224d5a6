"""The report's tables, laid out once for the web page and the PDF.

Each cell carries its number and the address of the list behind it, so every
figure on the page links to the audits, actions or Children of Concern it
counts (the PDF prints the same cells without links). The lists are the
report's own audit drill-down (`reports:drilldown`) and, for actions and
Children of Concern, the action tracker and the Child of Concern list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from actions.links import concern_figure_url
from audits.figures import GRADE_KEYS
from audits.models import Feedback, Grade, LegalStatus
from reports.periods import add_months, month_key, parse_month, quarters_ending

GRADE_LABELS = dict(Grade.choices)


@dataclass
class Cell:
    """A number on the report. `kind` is "count", "percent" or "count_percent" (a count with its share)."""

    value: Any
    kind: str = "count"
    percent: float | None = None
    url: str = ""


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    row_heading: str = ""
    note: str = ""
    number: int = 0


@dataclass
class TeamList:
    key: str
    title: str
    teams: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    empty: str = "None."


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


def build_tables(figures: dict[str, Any], areas: list[dict[str, Any]]) -> dict[str, Any]:
    """Every table and team list of the report, keyed by name, numbered in reading order."""
    month = figures["month"]
    as_of = figures["as_of"]
    first = parse_month(month)
    three_from = month_key(add_months(first, -2))
    six_from = month_key(add_months(first, -5))
    tables: dict[str, Any] = {}

    # 1. Ratings by month: grades down, months across.
    by_month = figures["ratings_by_month"]
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
    rows.append(
        Row("Total", [Cell(m["total"], url=drill(month=m["month"], outcome="returned")) for m in by_month], total=True)
    )
    tables["ratings_by_month"] = Table(
        "ratings_by_month",
        "Audit ratings by month (final grade: number and share)",
        [month_label(m["month"]) for m in by_month],
        rows,
        row_heading="Grade",
    )

    # 2. Ratings by quarter.
    quarters = figures["ratings_by_quarter"]
    # The same quarters the figures were counted over (the last one ends at the report month).
    quarter_ranges = [
        (month_key(q.start), month_key(add_months(q.end, -1))) for q in quarters_ending(first, len(quarters))
    ]
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
                for q, (a, b) in zip(quarters, quarter_ranges, strict=True)
            ],
        )
        for g in GRADE_KEYS
    ]
    rows.append(
        Row(
            "Total",
            [
                Cell(q["total"], url=drill(month_from=a, month_to=b, outcome="returned"))
                for q, (a, b) in zip(quarters, quarter_ranges, strict=True)
            ],
            total=True,
        )
    )
    tables["ratings_by_quarter"] = Table(
        "ratings_by_quarter",
        "Audit ratings by quarter (financial year; the last quarter runs to the report month)",
        [q["quarter"] for q in quarters],
        rows,
        row_heading="Grade",
    )

    # 3. Ratings by legal status over three months.
    rows = []
    for code, block in figures["ratings_by_legal_status"].items():
        period = {"month_from": three_from, "month_to": month, "outcome": "returned", "legal_status": code}
        cells = _grade_cells(block, **period)
        cells.append(Cell(block["total"], url=drill(**period)))
        rows.append(Row(LegalStatus(code).label, cells))
    tables["ratings_by_legal_status"] = Table(
        "ratings_by_legal_status",
        f"Ratings by legal status, {month_label(three_from)} to {month_label(month)}",
        [GRADE_LABELS[g] for g in GRADE_KEYS] + ["Total"],
        rows,
        row_heading="Legal status",
    )

    # 4. Ratings by practice area over three months.
    rows = []
    for area in areas:
        period = {"month_from": three_from, "month_to": month, "outcome": "returned", "practice_area": area["area"]}
        block = area["three_months"]
        cells = [
            Cell(block["counts"][g], "count_percent", block["percent"][g], drill(area_grade=g, **period))
            for g in GRADE_KEYS
        ]
        cells.append(Cell(block["total"]))
        rows.append(Row(area["area"], cells))
    tables["ratings_by_practice_area"] = Table(
        "ratings_by_practice_area",
        f"Ratings by practice area, {month_label(three_from)} to {month_label(month)} (auditors' area grades)",
        [GRADE_LABELS[g] for g in GRADE_KEYS] + ["Total"],
        rows,
        row_heading="Practice area",
        note="" if areas else "No practice areas were graded in these months.",
    )

    # 5. Inadequate and at risk.
    risk = figures["at_risk"]
    tables["at_risk"] = Table(
        "at_risk",
        f"Inadequate and at risk of becoming Inadequate, {month_label(month)}",
        ["Audits"],
        [
            Row(
                "Inadequate", [Cell(risk["inadequate"], url=drill(month=month, outcome="returned", grade="inadequate"))]
            ),
            Row(
                "Requires Improvement, at risk of becoming Inadequate",
                [
                    Cell(
                        risk["at_risk"],
                        url=drill(month=month, outcome="returned", grade="requires_improvement", at_risk=True),
                    )
                ],
            ),
            Row(
                "Both together, share of returned audits",
                [
                    Cell(
                        risk["inadequate"] + risk["at_risk"],
                        "count_percent",
                        risk["percent"],
                        drill(month=month, outcome="returned", inadequate_or_at_risk=True),
                    )
                ],
                total=True,
            ),
            Row("Returned audits", [Cell(risk["total"], url=drill(month=month, outcome="returned"))], total=True),
        ],
        row_heading="Final grade",
    )

    # Teams, good and inadequate clusters (6 months).
    teams = figures["teams"]
    tables["three_plus_good_6_months"] = TeamList(
        "three_plus_good_6_months",
        f"Teams with three or more audits graded Good or Outstanding, {month_label(six_from)} to {month_label(month)}",
        [
            (
                name,
                drill(
                    month_from=six_from, month_to=month, team=name, outcome="returned", grade=["outstanding", "good"]
                ),
            )
            for name in teams["three_plus_good_6_months"]
        ],
    )
    tables["three_plus_inadequate_6_months"] = TeamList(
        "three_plus_inadequate_6_months",
        f"Teams with three or more audits graded Inadequate, {month_label(six_from)} to {month_label(month)}",
        [
            (name, drill(month_from=six_from, month_to=month, team=name, outcome="returned", grade="inadequate"))
            for name in teams["three_plus_inadequate_6_months"]
        ],
    )

    # 6. Feedback from children and parents.
    rows = []
    for who, label in (("child", "Children and young people"), ("parent", "Parents and carers")):
        block = figures["feedback"][who]
        field_name = f"{who}_feedback"
        cells = [Cell(block["responses"], url=drill(month=month, outcome="returned", **{field_name: "any"}))]
        for feeling in Feedback.values:
            cells.append(
                Cell(
                    block[f"{feeling}_percent"],
                    "percent",
                    url=drill(month=month, outcome="returned", **{field_name: feeling}),
                )
            )
        rows.append(Row(label, cells))
    tables["feedback"] = Table(
        "feedback",
        f"Feedback on the service, {month_label(month)}",
        ["Responses", "Positive", "Mixed", "Negative"],
        rows,
        row_heading="Who",
    )

    # 7. Children of Concern.
    # The lists are counted as of the report's date, as the figures are (actions.links holds the filters).
    coc = figures["children_of_concern"]
    as_of_day = datetime.date.fromisoformat(as_of)
    tables["children_of_concern"] = Table(
        "children_of_concern",
        f"Children of Concern from audits of {month_label(month)} (resolved by {_day_label(as_of)})",
        ["Number"],
        [
            Row(label, [Cell(coc[key], url=concern_figure_url(first, as_of_day, key))])
            for key, label in (("raised", "Raised"), ("resolved", "Resolved"), ("open", "Still open"))
        ],
        row_heading="Children of Concern",
    )

    # 8. Returns over 12 months.
    rows = []
    for r in figures["returns"]:
        m = r["month"]
        rows.append(
            Row(
                month_label(m),
                [
                    Cell(r["planned"], url=drill(month=m)),
                    Cell(r["exempted"], url=drill(month=m, outcome="exempted")),
                    Cell(r["scheduled"], url=drill(month=m, outcome="scheduled")),
                    Cell(r["returned"], url=drill(month=m, outcome="returned")),
                    Cell(r["returned_percent"], "percent"),
                    Cell(r["late"], url=drill(month=m, outcome="returned", late=True)),
                    Cell(r["late_percent"], "percent"),
                    Cell(r["nil_returns"], url=drill(month=m, outcome="nil_return")),
                    Cell(r["not_ready"], url=drill(month=m, outcome="not_ready")),
                ],
            )
        )
    tables["returns"] = Table(
        "returns",
        "Returns over twelve months",
        ["Planned", "Exempted", "Scheduled", "Returned", "% returned", "Late", "% late", "Nil returns", "Not ready"],
        rows,
        row_heading="Month",
        note="Scheduled = planned less exempted. % returned is of scheduled; % late is of returned.",
    )
    tables["not_audited"] = TeamList(
        "not_audited",
        f"Teams allocated an audit in {month_label(month)} with none returned",
        [(name, drill(month=month, team=name)) for name in teams["not_audited"]],
    )
    tables["audited_once_in_3_months"] = TeamList(
        "audited_once_in_3_months",
        f"Teams audited only once, {month_label(three_from)} to {month_label(month)}",
        [
            (name, drill(month_from=three_from, month_to=month, team=name, outcome="returned"))
            for name in teams["audited_once_in_3_months"]
        ],
    )

    # 9. Participation.
    part = figures["participation"]
    took_part = [
        ("social_worker", "Social worker took part", "social_worker_percent"),
        ("manager", "Manager took part", "manager_percent"),
        ("iro", "IRO or CP chair's views obtained (where the child has one)", "iro_percent"),
        ("child", "Child or young person spoken to", "child_percent"),
        ("parent", "Parent or carer spoken to", "parent_percent"),
    ]
    tables["participation"] = Table(
        "participation",
        f"Participation in the {part['audits']} audits returned in {month_label(month)}",
        ["Share of audits"],
        [
            Row(label, [Cell(part[key], "percent", url=drill(month=month, outcome="returned", took_part=who))])
            for who, label, key in took_part
        ],
        row_heading="Who took part",
    )

    # 10. Moderation this month.
    mod = figures["moderation"]
    moderated = {"month": month, "outcome": "returned", "moderated": True}
    tables["moderation"] = Table(
        "moderation",
        f"Moderation of audits returned in {month_label(month)}",
        ["Number", "Share"],
        [
            Row("Returned", [Cell(mod["returned"], url=drill(month=month, outcome="returned")), Cell(None, "blank")]),
            Row(
                "Moderated", [Cell(mod["moderated"], url=drill(**moderated)), Cell(mod["moderated_percent"], "percent")]
            ),
            Row(
                "Grade agreed", [Cell(mod["agreed"], url=drill(moderation="agreed", **moderated)), Cell(None, "blank")]
            ),
            Row(
                "Upgraded by the moderator",
                [Cell(mod["upgraded"], url=drill(moderation="upgraded", **moderated)), Cell(None, "blank")],
            ),
            Row(
                "Downgraded by the moderator",
                [
                    Cell(mod["downgraded"], url=drill(moderation="downgraded", **moderated)),
                    Cell(mod["downgraded_percent"], "percent"),
                ],
            ),
        ],
        row_heading="Audits",
        note="The share moderated is of returned audits; the share downgraded is of moderated audits.",
    )

    # 11. Primary against moderated grades.
    pvm = figures["primary_vs_moderated"]
    tables["primary_vs_moderated"] = Table(
        "primary_vs_moderated",
        f"Auditors' grades beside moderators' grades, {pvm['moderated']} audits moderated in {month_label(month)}",
        ["Auditor's grade", "Moderator's grade"],
        [
            Row(
                GRADE_LABELS[g],
                [
                    Cell(
                        pvm["primary"]["counts"][g],
                        "count_percent",
                        pvm["primary"]["percent"][g],
                        drill(auditor_grade=g, **moderated),
                    ),
                    Cell(
                        pvm["final"]["counts"][g],
                        "count_percent",
                        pvm["final"]["percent"][g],
                        drill(grade=g, **moderated),
                    ),
                ],
            )
            for g in GRADE_KEYS
        ],
        row_heading="Grade",
    )

    # 12. Moderator effect.
    rows = []
    for r in figures["moderator_effect"]:
        m = {"month": r["month"], "outcome": "returned", "moderated": True}
        rows.append(
            Row(
                month_label(r["month"]),
                [
                    Cell(r["moderated"], url=drill(**m)),
                    Cell(r["upgraded_percent"], "percent", url=drill(moderation="upgraded", **m)),
                    Cell(r["downgraded_percent"], "percent", url=drill(moderation="downgraded", **m)),
                    Cell(
                        r["inadequate_downgraded_percent"],
                        "percent",
                        url=drill(moderation="downgraded", grade="inadequate", **m),
                    ),
                ],
            )
        )
    tables["moderator_effect"] = Table(
        "moderator_effect",
        "Moderator effect over five months",
        ["Moderated", "% upgraded", "% downgraded", "% of moderators' Inadequate graded higher by the auditor"],
        rows,
        row_heading="Month",
    )

    # 13. Actions.
    act = figures["actions"]
    window = {"audit_month_from": three_from, "audit_month_to": month, "as_of": as_of}
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
    rows.append(
        Row(
            f"Still open from audits before {month_label(three_from)}",
            [
                Cell(act["older_open"], url=_actions_url(status="open", audit_month_before=three_from, as_of=as_of)),
                Cell(None, "blank"),
            ],
        )
    )
    tables["actions"] = Table(
        "actions",
        f"Actions from audits of {month_label(three_from)} to {month_label(month)}, as of {_day_label(as_of)}",
        ["Actions", "Share"],
        rows,
        row_heading="Status",
    )

    # 14. Awaiting finalisation.
    waiting = figures["awaiting_finalisation"]
    tables["awaiting_finalisation"] = Table(
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

    number = 0
    for table in tables.values():
        if isinstance(table, Table):
            number += 1
            table.number = number
    return tables


def _day_label(iso_day: str) -> str:
    day = datetime.date.fromisoformat(iso_day)
    return f"{day.day} {day:%b %Y}"
