"""Everything the report shows, gathered once for both the web page and the PDF.

The page and the PDF render the same body template from this context, so a
figure, a chart or a table cannot differ between them. The number of queries is
fixed: the figures, the practice-area counts, the narrative and the four
appendix lists.
"""

from __future__ import annotations

import datetime
from typing import Any

from reports import charts
from reports.models import ReportNarrative
from reports.periods import month_end, month_start, months_ending
from reports.selectors import appendix_audits, practice_area_ratings, report_figures
from reports.tables import build_tables, month_label

NARRATIVE_SECTIONS = (
    ("executive_summary", "Executive summary"),
    ("methodology", "Methodology"),
    ("improvement_responses", "Improvement responses"),
    ("conclusions", "Conclusions and recommendations"),
)


def report_context(month: datetime.date, as_of: datetime.date | None = None) -> dict[str, Any]:
    month = month_start(month)
    as_of = as_of or month_end(month)
    figures = report_figures(month, as_of)
    areas = practice_area_ratings(month)
    labels = {row["month"]: month_label(row["month"]) for row in figures["returns"]}
    narrative = ReportNarrative.objects.filter(month=month).select_related("updated_by").first()
    # list() runs each appendix query here, once, rather than in the template loops.
    appendix = {name: list(queryset) for name, queryset in appendix_audits(month).items()}
    return {
        "month": month,
        "as_of": as_of,
        "is_default_as_of": as_of == month_end(month),
        "figures": figures,
        "tables": build_tables(figures, areas),
        "charts": charts.report_charts(figures, areas, labels),
        "narrative": narrative,
        "narrative_text": {key: getattr(narrative, key, "") if narrative else "" for key, _ in NARRATIVE_SECTIONS},
        "appendix": appendix,
        "first_month": months_ending(month, 3)[0],
    }
