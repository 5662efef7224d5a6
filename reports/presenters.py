"""Everything the report shows, gathered once for both the web page and the PDF.

The page and the PDF render the same body template from this context, so a
figure, a chart or a table cannot differ between them. The number of queries is
fixed: the figures, the practice-area counts, the first data month, the narrative,
the four appendix lists, the learning themes (trend, by team and service area, by
strand, the previous month's for the summary draft, and the good practice recorded),
the representation (three) and the targets (one).
"""

from __future__ import annotations

import datetime
from typing import Any

from audits.models import Audit
from audits.selectors import ReportScope, scope_q
from common.periods import add_months, month_end, month_start, months_ending
from reports import charts
from reports.cache import cached, scope_key
from reports.models import ReportNarrative
from reports.narrative import executive_summary_draft
from reports.reaudits import reaudit_impact
from reports.representation import representation
from reports.selectors import appendix_audits, first_data_month, practice_area_ratings, report_figures
from reports.tables import build_tables, month_label, tables_html
from reports.targets import monthly_checks, report_targets
from reports.themes import good_practice_entries, theme_figures, theme_groups, theme_strands, theme_trend

NARRATIVE_SECTIONS = (
    ("executive_summary", "Executive summary"),
    ("methodology", "Methodology"),
    ("improvement_responses", "Improvement responses"),
    ("conclusions", "Conclusions and recommendations"),
)


def _figures_tables_and_charts(month: datetime.date, as_of: datetime.date, scope: ReportScope) -> dict[str, Any]:
    """The costly part of the report (its figures, tables and drawn charts), which the cache keeps."""
    figures = report_figures(month, as_of, scope)
    areas = practice_area_ratings(month, scope)
    first_data = first_data_month()
    labels = {row["month"]: month_label(row["month"]) for row in figures["returns"]}
    in_scope = Audit.objects.filter(scope_q(scope))
    of_month = in_scope.filter(month=month)
    learning = {
        "trend": theme_trend(in_scope, month),
        "groups": theme_groups(of_month),
        "strands": theme_strands(of_month),
    }
    shares = representation(month, scope)
    tables = build_tables(
        figures,
        areas,
        first_data,
        reaudit_impact(month, scope_q(scope)),
        shares,
        learning,
        # Known without a query for a programme; for the monthly audit or every programme, Tables 1 to 3 show the
        # not graded where their months hold some (a query more would break the page's query budget).
        not_graded_allowed=scope.programme is not None and scope.programme.allows_not_graded,
    )
    targets = report_targets()
    previous = theme_figures(in_scope.filter(month=add_months(month, -1)))
    return {
        "figures": figures,
        "tables": tables,
        "tables_html": tables_html(tables),
        "charts": charts.report_charts(figures, areas, labels, first_data, targets),
        "targets": targets,
        "target_checks": monthly_checks(figures, shares, targets, f"in {month:%b %Y}"),
        "representation": shares,
        "good_practice": good_practice_entries(of_month),
        "summary_draft": executive_summary_draft(figures, previous),
    }


def summary_draft(month: datetime.date) -> str:
    """The executive summary draft of the month's report (the monthly audit, every service area), from the cache
    the report page fills."""
    month = month_start(month)
    return report_computed(month, month_end(month), ReportScope.monthly())["summary_draft"]


def report_computed(month: datetime.date, as_of: datetime.date, scope: ReportScope) -> dict[str, Any]:
    """The report's figures, tables and drawn charts for this month, as-of day and scope, from the report cache
    (computed once until the data changes): the page, the PDF and each chart's own file share them."""
    return cached("monthly", (month, as_of, scope_key(scope)), lambda: _figures_tables_and_charts(month, as_of, scope))


def report_context(
    month: datetime.date, as_of: datetime.date | None = None, scope: ReportScope | None = None
) -> dict[str, Any]:
    month = month_start(month)
    as_of = as_of or month_end(month)
    scope = scope or ReportScope.monthly()
    computed = report_computed(month, as_of, scope)
    narrative = ReportNarrative.objects.filter(month=month).select_related("updated_by").first()
    # list() runs each appendix query here, once, rather than in the template loops.
    appendix = {name: list(queryset) for name, queryset in appendix_audits(month, scope).items()}
    return {
        "month": month,
        "scope": scope,
        "as_of": as_of,
        "is_default_as_of": as_of == month_end(month),
        **computed,
        "narrative": narrative,
        "narrative_text": {key: getattr(narrative, key, "") if narrative else "" for key, _ in NARRATIVE_SECTIONS},
        "appendix": appendix,
        "first_month": months_ending(month, 3)[0],
    }
