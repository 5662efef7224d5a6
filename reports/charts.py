"""The report's charts, drawn on the server as SVG with pygal so the page and the PDF show the same pictures.

Each chart is a picture of a table that sits beside it, so the table is the
text alternative; the SVG is wrapped in an element with role="img" and a short
description. Colours follow the grade colours of the site and every series is
also named in the legend (colour is never the only signal). No data is drawn
as a gap, never as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from audits.figures import GRADE_KEYS
from audits.models import Grade, LegalStatus

GRADE_LABELS = dict(Grade.choices)
# Dark enough for 3:1 contrast against white (WCAG 2.2 non-text contrast).
GRADE_COLOURS = ("#0b5d1e", "#2e7d32", "#8a5a00", "#a4262c")
SERIES_COLOURS = ("#1d4f91", "#a4262c", "#5b3f8c", "#2e7d32", "#8a5a00")

_BASE_STYLE = {
    "background": "white",
    "plot_background": "white",
    "foreground": "#1a1a1a",
    "foreground_strong": "#000000",
    "foreground_subtle": "#595959",
    "font_family": "DejaVu Sans, Liberation Sans, Arial, sans-serif",
    "label_font_size": 13,
    "major_label_font_size": 13,
    "legend_font_size": 13,
    "title_font_size": 15,
    "value_font_size": 12,
    "tooltip_font_size": 12,
    "opacity": "1",
    "opacity_hover": "0.85",
    "transition": "none",
    "guide_stroke_color": "#c8c8c8",
    "major_guide_stroke_color": "#9a9a9a",
    "guide_stroke_dasharray": "3,3",
    "major_guide_stroke_dasharray": "3,3",
}
# pygal writes a config <script> and tooltip text (<desc>) for its interactive JavaScript, which the report
# never loads (the page must work without script, and the PDF runs none); comments carry nothing either.
_UNUSED_SVG = re.compile(r"<script\b[^>]*>.*?</script>|<desc\b[^>]*>.*?</desc>|<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Chart:
    """One chart: `svg` (markup made by pygal from our own numbers) and a one-line description for its alt text."""

    name: str
    svg: SafeString
    description: str
    has_data: bool = True


def _style(colours: tuple[str, ...]) -> Style:
    return Style(colors=colours, **_BASE_STYLE)


def _config(**overrides: Any) -> dict[str, Any]:
    config = {
        "width": 760,
        "height": 360,
        "js": [],  # No script from the internet: the page and the PDF draw the SVG as it is.
        "disable_xml_declaration": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": False,
        "show_y_guides": True,
        "margin": 12,
        "margin_right": 40,
        "no_data_text": "No data",
        "style": _style(GRADE_COLOURS),
    }
    config.update(overrides)
    return config


def _percent_formatter(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _chart(name: str, chart: pygal.graph.graph.Graph, description: str) -> Chart:
    # A chart of nothing but gaps and zeros says nothing; the page says so in words instead.
    has_data = any(value for serie in chart.raw_series for value in serie[0])
    svg = _UNUSED_SVG.sub("", chart.render(is_unicode=True)) if has_data else ""
    # pygal escapes every label and value it writes; the numbers and labels are our own.
    return Chart(name, mark_safe(svg), f"{description} The table with it gives the figures.", has_data)  # noqa: S308


def _grade_percent_series(chart: pygal.graph.graph.Graph, blocks: list[dict[str, Any]]) -> None:
    for grade in GRADE_KEYS:
        chart.add(GRADE_LABELS[grade], [block["percent"][grade] for block in blocks])


def ratings_by_month(figures: dict[str, Any], month_labels: list[str]) -> Chart:
    chart = pygal.StackedBar(**_config(range=(0, 100), value_formatter=_percent_formatter))
    chart.x_labels = month_labels
    _grade_percent_series(chart, figures["ratings_by_month"])
    return _chart(
        "ratings_by_month",
        chart,
        "Stacked bars: share of each final grade for each of the last three months.",
    )


def ratings_by_quarter(figures: dict[str, Any]) -> Chart:
    chart = pygal.Line(**_config(range=(0, 100), value_formatter=_percent_formatter, dots_size=4))
    chart.x_labels = [q["quarter"] for q in figures["ratings_by_quarter"]]
    _grade_percent_series(chart, figures["ratings_by_quarter"])
    return _chart(
        "ratings_by_quarter",
        chart,
        "Trend lines: share of each final grade in each of the last five quarters.",
    )


def ratings_by_legal_status(figures: dict[str, Any]) -> Chart:
    chart = pygal.HorizontalStackedBar(**_config(range=(0, 100), value_formatter=_percent_formatter))
    statuses = figures["ratings_by_legal_status"]
    # pygal draws horizontal bars bottom-up; reversed, they read top-down in the table's order.
    chart.x_labels = [LegalStatus(code).label for code in reversed(statuses)]
    _grade_percent_series(chart, list(reversed(statuses.values())))
    return _chart(
        "ratings_by_legal_status",
        chart,
        "Stacked bars: share of each final grade by the child's legal status over three months.",
    )


def ratings_by_practice_area(areas: list[dict[str, Any]]) -> Chart:
    chart = pygal.HorizontalStackedBar(
        **_config(range=(0, 100), value_formatter=_percent_formatter, height=max(240, 60 + 38 * len(areas)))
    )
    chart.x_labels = [area["area"] for area in reversed(areas)]
    _grade_percent_series(chart, [area["three_months"] for area in reversed(areas)])
    return _chart(
        "ratings_by_practice_area",
        chart,
        "Stacked bars: share of each grade for each practice area over three months.",
    )


def primary_vs_moderated(figures: dict[str, Any]) -> Chart:
    table = figures["primary_vs_moderated"]
    chart = pygal.Bar(**_config(range=(0, 100), value_formatter=_percent_formatter, style=_style(SERIES_COLOURS)))
    chart.x_labels = [GRADE_LABELS[g] for g in GRADE_KEYS]
    chart.add("Auditor's grade", [table["primary"]["percent"][g] for g in GRADE_KEYS])
    chart.add("Moderator's grade", [table["final"]["percent"][g] for g in GRADE_KEYS])
    return _chart(
        "primary_vs_moderated",
        chart,
        "Paired bars: share of each grade given by auditors and by moderators for the moderated audits.",
    )


def moderator_effect(figures: dict[str, Any], month_labels: list[str]) -> Chart:
    chart = pygal.Line(
        **_config(
            range=(0, 100),
            value_formatter=_percent_formatter,
            style=_style(SERIES_COLOURS),
            dots_size=4,
            legend_at_bottom_columns=1,
        )
    )
    chart.x_labels = month_labels
    rows = figures["moderator_effect"]
    chart.add("Upgraded", [r["upgraded_percent"] for r in rows])
    chart.add("Downgraded", [r["downgraded_percent"] for r in rows])
    chart.add("Moderator's Inadequate graded higher by the auditor", [r["inadequate_downgraded_percent"] for r in rows])
    return _chart("moderator_effect", chart, "Trend lines: moderator effect over five months.")


def returns(figures: dict[str, Any], month_labels: list[str]) -> Chart:
    chart = pygal.Bar(**_config(style=_style(SERIES_COLOURS), x_label_rotation=30, legend_at_bottom_columns=3))
    chart.x_labels = month_labels
    rows = figures["returns"]
    chart.add("Scheduled", [r["scheduled"] for r in rows])
    chart.add("Returned", [r["returned"] for r in rows])
    chart.add("Late", [r["late"] for r in rows])
    return _chart(
        "returns",
        chart,
        "Bars: audits scheduled, returned and returned late in each of the last twelve months.",
    )


def actions(figures: dict[str, Any]) -> Chart:
    chart = pygal.HorizontalBar(**_config(style=_style(SERIES_COLOURS), height=260, show_legend=False))
    block = figures["actions"]
    labels = ["Overdue", "Completed late", "Completed on time", "Not yet due"]
    keys = ["overdue", "completed_late", "completed_on_time", "not_yet_due"]
    chart.x_labels = labels
    chart.add("Actions", [block[k] for k in keys])
    return _chart("actions", chart, "Bars: actions from audits of the last three months by status.")


def children_of_concern(figures: dict[str, Any]) -> Chart:
    chart = pygal.Bar(**_config(style=_style(SERIES_COLOURS), height=260, show_legend=False))
    block = figures["children_of_concern"]
    chart.x_labels = ["Raised", "Resolved", "Open"]
    chart.add("Children of Concern", [block["raised"], block["resolved"], block["open"]])
    return _chart("children_of_concern", chart, "Bars: Children of Concern raised, resolved and still open.")


def report_charts(
    figures: dict[str, Any], areas: list[dict[str, Any]], month_labels: dict[str, str]
) -> dict[str, Chart]:
    """Every chart of the report, keyed by name. `month_labels` maps `YYYY-MM` to `Oct 2026`."""

    def labels(rows: list[dict[str, Any]]) -> list[str]:
        return [month_labels[r["month"]] for r in rows]

    return {
        "ratings_by_month": ratings_by_month(figures, labels(figures["ratings_by_month"])),
        "ratings_by_quarter": ratings_by_quarter(figures),
        "ratings_by_legal_status": ratings_by_legal_status(figures),
        "ratings_by_practice_area": ratings_by_practice_area(areas),
        "primary_vs_moderated": primary_vs_moderated(figures),
        "moderator_effect": moderator_effect(figures, labels(figures["moderator_effect"])),
        "returns": returns(figures, labels(figures["returns"])),
        "actions": actions(figures),
        "children_of_concern": children_of_concern(figures),
    }
