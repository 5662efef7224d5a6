"""The period report as a PDF: the same WeasyPrint set-up, fetcher and tagging as the monthly report
(`reports.pdf`), with the period's own body and cover.

The Celery job (`reports.services.report_document_build`, for a document with `month_to`) and
`manage.py qa_report --from --to --format pdf` both come here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from audits.selectors import ReportScope
from common.periods import month_end
from reports.models import ReportDocument
from reports.pdf import BASE_URL, HTML, PDF_VARIANT, Cover, RenderedBody, StaticFilesOnlyFetcher
from reports.period import ALL_PROGRAMMES
from reports.period_tables import period_label, period_report_context, scope_programme_label


def _step(progress: Callable[[int], None] | None, percent: int) -> None:
    if progress is not None:
        progress(percent)


def render_period_body_for(
    first: datetime.date,
    last: datetime.date,
    *,
    programme: str = ALL_PROGRAMMES,
    service_area: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[RenderedBody, dict]:
    context = period_report_context(first, last, programme=programme, service_area=service_area)
    _step(progress, 30)
    html = render_to_string("reports/_period_body.html", {**context, "pdf": True})
    return RenderedBody(html=html, charts={}), context


def render_period_body(*, document: ReportDocument, progress: Callable[[int], None] | None = None) -> RenderedBody:
    body, _ = render_period_body_for(
        document.month,
        document.month_to,
        programme=document.programme or ALL_PROGRAMMES,
        service_area=document.service_area or None,
        progress=progress,
    )
    return body


def _pdf(*, body: RenderedBody, cover: Cover, context: dict, progress: Callable[[int], None] | None) -> bytes:
    html = render_to_string(
        "reports/period_pdf.html",
        {
            **context,
            "cover": cover,
            # The body is our own template's output (figures only, every text escaped).
            "body_html": mark_safe(body.html),  # noqa: S308
            "council_name": settings.COUNCIL_NAME,
            "protective_marking": settings.PROTECTIVE_MARKING,
            "generated_at": timezone.localtime(),
        },
    )
    _step(progress, 45)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnlyFetcher({}))
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    _step(progress, 95)
    return pdf


def _scope_context(first, last, programme, service_area) -> dict:
    return {
        "period_label": period_label({"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}),
        "first": first,
        "last": last,
        "as_of": month_end(last),
        "scope_programme": scope_programme_label(programme),
        "scope_service_area": service_area or "All service areas",
    }


def period_pdf_from_body(
    *, body: RenderedBody, document: ReportDocument, cover: Cover, progress: Callable[[int], None] | None = None
) -> bytes:
    """The PDF of a period document's rendered body (the job's path: a published edition reprints the draft's)."""
    context = _scope_context(document.month, document.month_to, document.programme, document.service_area)
    return _pdf(body=body, cover=cover, context=context, progress=progress)


def period_pdf(
    *,
    first: datetime.date,
    last: datetime.date,
    scope: ReportScope | None = None,
    requested_by: str = "",
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The period report as PDF bytes, in process (the command), by the same code as the Celery job."""
    scope = scope or ReportScope()
    body, context = render_period_body_for(
        first, last, programme=scope.programme_key, service_area=scope.service_area_name, progress=progress
    )
    cover = Cover(month=first, as_of=month_end(last), requested_by=requested_by)
    return _pdf(body=body, cover=cover, context=context, progress=progress)
