"""The report's charts, drawn on the server as SVG with pygal so the page and the PDF show the same pictures.

Each chart is a picture of a table that sits beside it, so the table is the
text alternative; the SVG is wrapped in an element with role="img" and a short
description. Colour is never the only signal: the grade colours (blue for
Outstanding and Good, orange and dark red below; told apart with every kind of
colour blindness, each at least 3:1 against white) also differ in lightness,
bars carry a pattern per grade (shown in the legend too) and their values, and
lines a dash per series. No data is drawn as a gap, never as 0.

Where a chart shows a figure the QA team has a target for (reports.targets), the target is a dashed black
line across it, named in the legend ("Target: 90 %"), and said in the chart's description and caption.
"""

from __future__ import annotations

import datetime
import re
import textwrap
from dataclasses import dataclass
from typing import Any

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from audits.models import GRADE_KEYS, Grade
from caseload.models import LegalStatus
from reports.tables import before_first_data
from reports.targets import EN_DASH, Targets, number, percent_text

GRADE_LABELS = dict(Grade.choices)
# Outstanding, Good, Requires Improvement, Inadequate: dark blue, mid blue, orange, dark red. Blue against
# orange/red survives red-green colour blindness; the lightness steps survive the rest; all are 3:1 on white.
GRADE_COLOURS = ("#0b3c73", "#3c88c8", "#c26a00", "#8e1b1b")
# A pattern per grade over its colour (none for Outstanding): bars and legend keys differ without colour.
GRADE_PATTERNS = ("", "stripes", "dots", "crosses")
SERIES_COLOURS = ("#0b3c73", "#c26a00", "#5b3f8c", "#3c88c8", "#8e1b1b")
SERIES_PATTERNS = ("", "stripes", "dots", "crosses", "")
# Lines: a dash per series, so each line is known by its stroke as well as its colour.
DASHES = ("", "10,5", "3,4", "12,4,3,4", "1,3")
# Values printed on bars only from this share up: a thinner segment has no room for its number.
MIN_PRINTED_PERCENT = 6
# Marks a shade darker than the colour under them, so the white values printed on a bar stay readable.
_PATTERN_MARKS = {
    "stripes": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="black" stroke-opacity="0.45" stroke-width="2"/>',
    "dots": '<circle cx="4" cy="4" r="1.8" fill="black" fill-opacity="0.4"/>',
    "crosses": '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="black" stroke-opacity="0.45" stroke-width="1.5"/>',
}

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
    """One chart: `svg` (markup made by pygal from our own numbers), a one-line description for its alt text,
    and its drawn size (the page reserves the space before the image arrives)."""

    name: str
    svg: SafeString
    description: str
    has_data: bool = True
    # The target the chart draws, in words for its caption ("The dashed black line is the target: 90 %."); "" if none.
    target: str = ""
    width: int = 760
    height: int = 360


def _style(colours: tuple[str, ...], **overrides: Any) -> Style:
    return Style(colors=colours, **{**_BASE_STYLE, **overrides})


def _patterned(name: str, colours: tuple[str, ...], patterns: tuple[str, ...]) -> dict[str, Any]:
    """Config for bars filled with colour and pattern: SVG <pattern> defs and the colours that point at them.

    Ids carry the chart's name: several charts share one web page, and an id must be unique on it.
    """
    defs, fills = [], []
    for index, (colour, pattern) in enumerate(zip(colours, patterns, strict=False)):
        if not pattern:
            fills.append(colour)
            continue
        pattern_id = f"{name}-fill-{index}"
        defs.append(
            f'<pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{_PATTERN_MARKS[pattern]}</pattern>'
        )
        fills.append(f"url(#{pattern_id})")
    return {"defs": defs, "style": _style(tuple(fills), value_colors=("white",) * len(fills))}


def _printed_percent(value: float | None) -> str:
    return "" if value is None or value < MIN_PRINTED_PERCENT else f"{value:.0f}%"


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


LABEL_MAX = 40


def _short_label(text: str) -> str:
    """One line, with spaces kept (an area name typed with a line break would otherwise run its words together)."""
    return textwrap.shorten(" ".join(text.split()), LABEL_MAX, placeholder="…")


def _percent_formatter(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


TARGET_PREFIX = "Target"
TARGET_COLOUR = "#000000"
TARGET_STROKE = {"width": 2, "dasharray": "8,4"}


def _target_line(chart: pygal.graph.graph.Graph, title: str, value: Any, points: int) -> None:
    """A flat dashed line at `value` across the chart's `points`, named in the legend (its title starts "Target")."""
    chart.add(title, [float(value)] * points, stroke_style=TARGET_STROKE, show_dots=False, allow_interruptions=False)


def _chart(name: str, chart: pygal.graph.graph.Graph, description: str, target: str = "") -> Chart:
    # A chart of nothing but gaps and zeros says nothing; the page says so in words instead. A target line is
    # not data: a chart with only its target still has nothing to show.
    has_data = any(
        value
        for values, options in chart.raw_series
        if not options["title"].startswith(TARGET_PREFIX)
        for value in values
    )
    svg = _UNUSED_SVG.sub("", chart.render(is_unicode=True)) if has_data else ""
    said = f" {target}" if target else ""
    # pygal escapes every label and value it writes; the numbers and labels are our own.
    description = f"{description}{said} The table with it gives the figures."
    return Chart(name, mark_safe(svg), description, has_data, target, chart.config.width, chart.config.height)  # noqa: S308


def _grade_percent_series(chart: pygal.graph.graph.Graph, blocks: list[dict[str, Any]], lines: bool = False) -> None:
    for index, grade in enumerate(GRADE_KEYS):
        dashes = {"stroke_style": {"width": 3, "dasharray": DASHES[index]}} if lines else {}
        chart.add(GRADE_LABELS[grade], [block["percent"][grade] for block in blocks], **dashes)


# Every 20 %: ten labels of "100%" on a chart scaled to the page ran together.
PERCENT_TICKS = [0, 20, 40, 60, 80, 100]


def _grade_bars(name: str, **overrides: Any) -> dict[str, Any]:
    """Config for bars of grade shares: patterned, each segment labelled with its share where it fits."""
    return _config(
        range=(0, 100),
        y_labels=PERCENT_TICKS,
        value_formatter=_printed_percent,
        print_values=True,
        print_values_position="center",
        **_patterned(name, GRADE_COLOURS, GRADE_PATTERNS),
        **overrides,
    )


def ratings_by_month(figures: dict[str, Any], month_labels: list[str]) -> Chart:
    chart = pygal.StackedBar(**_grade_bars("ratings_by_month"))
    chart.x_labels = month_labels
    _grade_percent_series(chart, figures["ratings_by_month"])
    return _chart(
        "ratings_by_month",
        chart,
        "Stacked bars: share of each final grade for each of the last three months.",
    )


def ratings_by_quarter(figures: dict[str, Any], targets: Targets | None = None) -> Chart:
    target = targets.inadequate_below_percent if targets else None
    colours = GRADE_COLOURS + ((TARGET_COLOUR,) if target is not None else ())
    chart = pygal.Line(
        **_config(
            range=(0, 100),
            y_labels=PERCENT_TICKS,
            value_formatter=_percent_formatter,
            dots_size=4,
            style=_style(colours),
        )
    )
    quarters = figures["ratings_by_quarter"]
    chart.x_labels = [q["quarter"] for q in quarters]
    _grade_percent_series(chart, quarters, lines=True)
    words = ""
    if target is not None:
        _target_line(chart, f"{TARGET_PREFIX}: Inadequate below {percent_text(target)}", target, len(quarters))
        words = f"The dashed black line is the target for Inadequate: below {percent_text(target)}."
    return _chart(
        "ratings_by_quarter",
        chart,
        "Trend lines: share of each final grade in each of the last five quarters.",
        words,
    )


def ratings_by_legal_status(figures: dict[str, Any]) -> Chart:
    chart = pygal.HorizontalStackedBar(**_grade_bars("ratings_by_legal_status", margin_left=8))
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
    # Area names are long: each keeps one line (pygal's multi-line labels print as one run-together line in
    # the PDF), shortened with … past LABEL_MAX characters; the table below gives the full names.
    chart = pygal.HorizontalStackedBar(**_grade_bars("ratings_by_practice_area", height=max(260, 90 + 34 * len(areas))))
    chart.x_labels = [_short_label(area["area"]) for area in reversed(areas)]
    _grade_percent_series(chart, [area["three_months"] for area in reversed(areas)])
    return _chart(
        "ratings_by_practice_area",
        chart,
        "Stacked bars: share of each grade for each practice area over three months.",
    )


def primary_vs_moderated(figures: dict[str, Any]) -> Chart:
    table = figures["primary_vs_moderated"]
    chart = pygal.Bar(
        **_config(
            range=(0, 100),
            y_labels=PERCENT_TICKS,
            value_formatter=_printed_percent,
            print_values=True,
            print_values_position="center",
            **_patterned("primary_vs_moderated", SERIES_COLOURS, SERIES_PATTERNS),
        )
    )
    chart.x_labels = [GRADE_LABELS[g] for g in GRADE_KEYS]
    chart.add("Auditor's grade", [table["primary"]["percent"][g] for g in GRADE_KEYS])
    chart.add("Moderator's grade", [table["final"]["percent"][g] for g in GRADE_KEYS])
    return _chart(
        "primary_vs_moderated",
        chart,
        "Paired bars: share of each grade given by auditors and by moderators for the moderated audits.",
    )


def _changed(row: dict[str, Any]) -> float | None:
    """Upgraded plus downgraded: the share of the month's moderated audits whose grade the moderator changed."""
    up, down = row["upgraded_percent"], row["downgraded_percent"]
    return None if up is None or down is None else round(float(up) + float(down), 1)


def moderator_effect(figures: dict[str, Any], month_labels: list[str], targets: Targets | None = None) -> Chart:
    band = targets is not None and targets.has_moderator_band
    colours = SERIES_COLOURS[:3] + ((SERIES_COLOURS[3], TARGET_COLOUR, TARGET_COLOUR) if band else ())
    chart = pygal.Line(
        **_config(
            range=(0, 100),
            y_labels=PERCENT_TICKS,
            value_formatter=_percent_formatter,
            style=_style(colours),
            dots_size=4,
            legend_at_bottom_columns=1,
        )
    )
    chart.x_labels = month_labels
    rows = figures["moderator_effect"]
    series = (
        ("Upgraded", "upgraded_percent"),
        ("Downgraded", "downgraded_percent"),
        ("Moderator's Inadequate graded higher by the auditor", "inadequate_downgraded_percent"),
    )
    for index, (title, key) in enumerate(series):
        chart.add(title, [r[key] for r in rows], stroke_style={"width": 3, "dasharray": DASHES[index]})
    words = ""
    if band:
        low, high = targets.moderator_effect_low_percent, targets.moderator_effect_high_percent  # type: ignore[union-attr]
        chart.add(
            "Changed by the moderator (upgraded or downgraded)",
            [_changed(r) for r in rows],
            stroke_style={"width": 3, "dasharray": DASHES[3]},
        )
        band_text = f"{number(low)}{EN_DASH}{percent_text(high)}"  # type: ignore[arg-type]
        _target_line(chart, f"{TARGET_PREFIX} band: from {percent_text(low)}", low, len(rows))  # type: ignore[arg-type]
        _target_line(chart, f"{TARGET_PREFIX} band: to {percent_text(high)}", high, len(rows))  # type: ignore[arg-type]
        words = f"The two dashed black lines mark the target band for audits changed by the moderator: {band_text}."
    return _chart("moderator_effect", chart, "Trend lines: moderator effect over five months.", words)


def returns(figures: dict[str, Any], month_labels: list[str], first_data_month: datetime.date | None = None) -> Chart:
    chart = pygal.Bar(
        **_config(
            x_label_rotation=30,
            legend_at_bottom_columns=3,
            **_patterned("returns", SERIES_COLOURS, SERIES_PATTERNS),
        )
    )
    chart.x_labels = month_labels
    # Months before the authority's first data are gaps, not bars of zero.
    rows = [None if before_first_data(r["month"], first_data_month) else r for r in figures["returns"]]
    for title, key in (("Scheduled", "scheduled"), ("Returned", "returned"), ("Late", "late")):
        chart.add(title, [r[key] if r else None for r in rows])
    return _chart(
        "returns",
        chart,
        "Bars: audits scheduled, returned and returned late in each of the last twelve months.",
    )


# Figure 10 is drawn smaller and with larger type than the other charts: it is scaled to the column, and at
# 760 wide its 13px labels shrank to about 6px on a phone and its black numbers sat on dark blue bars.
ACTIONS_CHART = {"width": 520, "height": 280, "label_font_size": 17, "major_label_font_size": 17}


def return_rate(
    figures: dict[str, Any],
    month_labels: list[str],
    first_data_month: datetime.date | None = None,
    targets: Targets | None = None,
) -> Chart:
    """The share of scheduled audits returned, month by month, with the return-rate target."""
    target = targets.returns_percent if targets else None
    chart = pygal.Line(
        **_config(
            range=(0, 100),
            y_labels=PERCENT_TICKS,
            value_formatter=_percent_formatter,
            style=_style((SERIES_COLOURS[0], TARGET_COLOUR)),
            dots_size=4,
            x_label_rotation=30,
        )
    )
    chart.x_labels = month_labels
    rows = figures["returns"]
    chart.add(
        "% of scheduled audits returned",
        [None if before_first_data(r["month"], first_data_month) else r["returned_percent"] for r in rows],
        stroke_style={"width": 3},
    )
    words = ""
    if target is not None:
        _target_line(chart, f"{TARGET_PREFIX}: {percent_text(target)}", target, len(rows))
        words = f"The dashed black line is the target return rate: {percent_text(target)}."
    return _chart(
        "return_rate", chart, "Trend line: share of scheduled audits returned in each of the last twelve months.", words
    )


def actions(figures: dict[str, Any], targets: Targets | None = None) -> Chart:
    block = figures["actions"]
    statuses = [
        ("overdue", "Overdue"),
        ("completed_late", "Completed late"),
        ("completed_on_time", "Completed on time"),
        ("not_yet_due", "Not yet due"),
    ]
    size = ACTIONS_CHART
    chart = pygal.HorizontalBar(
        **_config(
            style=_style(
                SERIES_COLOURS, label_font_size=size["label_font_size"], major_label_font_size=size["label_font_size"]
            ),
            width=size["width"],
            height=size["height"],
            show_legend=False,
            margin_left=8,
            margin_right=24,
        )
    )
    # Each bar's number is in its label ("Overdue: 16"), where it can be read, rather than printed on the bar.
    # pygal draws horizontal bars bottom-up; reversed, they read top-down in the table's order.
    chart.x_labels = [f"{label}: {block[key]}" for key, label in reversed(statuses)]
    chart.add("Actions", [block[key] for key, _ in reversed(statuses)])
    # The bars are counts; the target is a share, so it is said in words rather than drawn.
    target = targets.actions_on_time_percent if targets else None
    words = "" if target is None else f"The target is {percent_text(target)} of actions completed on time."
    return _chart("actions", chart, "Bars: actions from audits of the last three months by status.", words)


def children_of_concern(figures: dict[str, Any]) -> Chart:
    chart = pygal.Bar(
        **_config(
            style=_style(SERIES_COLOURS), height=260, show_legend=False, print_values=True, print_values_position="top"
        )
    )
    block = figures["children_of_concern"]
    chart.x_labels = ["Raised", "Resolved", "Open"]
    chart.add("Children of Concern", [block["raised"], block["resolved"], block["open"]])
    return _chart("children_of_concern", chart, "Bars: Children of Concern raised, resolved and still open.")


def report_charts(
    figures: dict[str, Any],
    areas: list[dict[str, Any]],
    month_labels: dict[str, str],
    first_data_month: datetime.date | None = None,
    targets: Targets | None = None,
) -> dict[str, Chart]:
    """Every chart of the report, keyed by name. `month_labels` maps `YYYY-MM` to `Oct 2026`; `targets` adds
    the target lines."""

    def labels(rows: list[dict[str, Any]]) -> list[str]:
        return [month_labels[r["month"]] for r in rows]

    return {
        "ratings_by_month": ratings_by_month(figures, labels(figures["ratings_by_month"])),
        "ratings_by_quarter": ratings_by_quarter(figures, targets),
        "ratings_by_legal_status": ratings_by_legal_status(figures),
        "ratings_by_practice_area": ratings_by_practice_area(areas),
        "primary_vs_moderated": primary_vs_moderated(figures),
        "moderator_effect": moderator_effect(figures, labels(figures["moderator_effect"]), targets),
        "returns": returns(figures, labels(figures["returns"]), first_data_month),
        "return_rate": return_rate(figures, labels(figures["returns"]), first_data_month, targets),
        "actions": actions(figures, targets),
        "children_of_concern": children_of_concern(figures),
    }
