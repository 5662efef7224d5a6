"""Addresses of the report pages: a month's report, a period's, and the page a PDF belongs to.

Kept apart from the views so the monthly and the period views can both link to each other's pages without
importing each other.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from audits.models import MONTHLY_SLUG
from audits.selectors import ReportScope, report_scope_from
from common.periods import month_end, month_key
from reports.models import ReportDocument
from reports.period import ALL_PROGRAMMES, QuickPick, quick_picks


def report_url(month: datetime.date, as_of: datetime.date | None = None, scope: ReportScope | None = None) -> str:
    """A month's report page, at an as-of date and in a scope (the page's own query: the service area's id)."""
    url = reverse("reports:detail", kwargs={"year": month.year, "month": month.month})
    query = {}
    if as_of and as_of != month_end(month):
        query["as_of"] = as_of.isoformat()
    if scope is not None and not scope.is_monthly:
        query["programme"] = scope.programme_key
    if scope is not None and scope.service_area is not None:
        query["service_area"] = scope.service_area.pk
    return f"{url}?{urlencode(query)}" if query else url


def period_url(
    first, last, programme: str = ALL_PROGRAMMES, service_area: str = "", name: str = "reports:period"
) -> str:
    query = {"from_month": month_key(first), "to_month": month_key(last)}
    if programme and programme != ALL_PROGRAMMES:
        query["programme"] = programme
    if service_area:
        query["service_area"] = service_area
    return f"{reverse(name)}?{urlencode(query)}"


def quick_pick_links(today: datetime.date) -> list[tuple[QuickPick, str]]:
    """Each quick pick of the period report (last quarter, the financial year to date...) with its report's address."""
    return [(pick, period_url(pick.first, pick.last)) for pick in quick_picks(today)]


def document_page_url(document: ReportDocument) -> str:
    """The page a PDF belongs to: its month's report, or its period report."""
    if document.is_period:
        return period_url(document.month, document.month_to, document.programme, document.service_area)
    scope = None
    if document.programme or document.service_area:
        try:
            scope = report_scope_from(
                programme=document.programme or None, service_area=document.service_area or None, default=MONTHLY_SLUG
            )
        except ValueError:
            scope = None  # Its programme or service area has gone since: the month's default page.
    return report_url(document.month, document.as_of, scope)
