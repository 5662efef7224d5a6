"""The monthly report as a PDF, made by WeasyPrint from the same body template as the web page.

The Celery job and `manage.py qa_report --format pdf` both call `report_pdf`.
WeasyPrint fetches nothing but the app's own static files: the fetcher below
refuses every other address (no network, no local files), so text a user
typed can never make the PDF reach out anywhere. The PDF is tagged (PDF/UA-1)
for screen readers.
"""

from __future__ import annotations

import datetime
import logging
import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import mark_safe

from audits.selectors import ReportScope
from common.periods import month_end
from reports.presenters import report_context

# WeasyPrint reports every step at INFO (some while it is imported); the job's own progress column says enough.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

# An address that cannot exist on any network: relative links in the report resolve under it.
BASE_URL = "https://qa-portal.invalid/"
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than one of the app's static files."""


CHART_BASE_URL = urljoin(BASE_URL, "charts/")


class StaticFilesOnlyFetcher(URLFetcher):
    """Serve `/static/...` from the app's static files (finders, then STATIC_ROOT), and the report's own
    charts from memory; refuse everything else.

    The charts are drawn as separate SVG images rather than inline markup because
    WeasyPrint then lays them out without running the page's CSS over every SVG node,
    which makes the PDF noticeably faster.
    """

    def __init__(self, charts: dict[str, bytes] | None = None) -> None:
        super().__init__(allowed_protocols=["https"], allow_redirects=False)
        self.prefix = urljoin(BASE_URL, static(""))
        self.charts = charts or {}

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith(CHART_BASE_URL) and url[len(CHART_BASE_URL) :] in self.charts:
            body = self.charts[url[len(CHART_BASE_URL) :]]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/svg+xml"})
        if not url.startswith(self.prefix):
            raise RefusedURL(f"The report PDF only loads the app's own static files, not {url!r}.")
        relative = unquote(urlsplit(url).path[len(urlsplit(self.prefix).path) :])
        path = self._find(relative)
        if path is None:
            raise RefusedURL(f"No static file {relative!r}.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    @staticmethod
    def _find(relative: str) -> Path | None:
        normalised = posixpath.normpath(relative)
        if not relative or normalised.startswith(("..", "/")) or normalised == ".":
            return None
        found = finders.find(normalised)
        if found:
            return Path(found)
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / normalised).resolve()
        if candidate.is_file() and root in candidate.parents:
            return candidate
        return None


@dataclass(frozen=True)
class RenderedBody:
    """The report's pages below the cover, as HTML, with the SVG charts they show (by file name)."""

    html: str
    charts: dict[str, str]


@dataclass(frozen=True)
class Cover:
    """What the cover says: the edition (draft or published), who wrote it and for whom."""

    month: datetime.date
    as_of: datetime.date
    revision: int = 1
    draft: bool = True
    authors: list[str] = field(default_factory=list)
    requested_by: str = ""
    published_at: datetime.datetime | None = None
    published_by: str = ""
    # The scope in words, on the title and the cover; blank for the monthly report's default scope.
    scope_label: str = ""


def report_scope_label(scope: ReportScope | None) -> str:
    """A monthly report's scope in words ("All programmes, Early Help"); blank for the default (the monthly
    audit in every service area), whose PDF reads as it always has."""
    if scope is None or (scope.is_monthly and scope.service_area is None):
        return ""
    if scope.is_monthly:
        programme = "The monthly audit"
    else:
        programme = scope.programme.name if scope.programme else "All programmes"
    return f"{programme}, {scope.service_area.name}" if scope.service_area else programme


def _step(progress: Callable[[int], None] | None, percent: int) -> None:
    if progress is not None:
        progress(percent)


def render_report_body(
    *,
    month: datetime.date,
    as_of: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
    scope: ReportScope | None = None,
) -> RenderedBody:
    """The figures, tables, charts and narrative for `month` as of `as_of`, rendered once.

    The draft keeps this; the published edition prints the same body, so publishing never changes a figure.
    """
    context = report_context(month, as_of, scope)
    _step(progress, 30)
    context.update(pdf=True, chart_base_url=CHART_BASE_URL)
    html = render_to_string("reports/_report_body.html", context)
    charts = {f"{chart.name}.svg": str(chart.svg) for chart in context["charts"].values() if chart.has_data}
    return RenderedBody(html=html, charts=charts)


def report_pdf_from_body(*, body: RenderedBody, cover: Cover, progress: Callable[[int], None] | None = None) -> bytes:
    """The PDF of an already rendered body under `cover`."""
    html = render_to_string(
        "reports/report_pdf.html",
        {
            "cover": cover,
            "month": cover.month,
            "as_of": cover.as_of,
            # The body is our own template's output (narrative text escaped, then sanitised Markdown).
            "body_html": mark_safe(body.html),  # noqa: S308
            # The contents list the targets' section when the body has one (a body rendered before targets had none).
            "has_targets": 'id="targets-heading"' in body.html,
            "council_name": settings.COUNCIL_NAME,
            "protective_marking": settings.PROTECTIVE_MARKING,
            "generated_at": timezone.localtime(),
        },
    )
    _step(progress, 45)
    charts = {name: svg.encode() for name, svg in body.charts.items()}
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnlyFetcher(charts))
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    _step(progress, 95)
    return pdf


def report_pdf(
    *,
    month: datetime.date,
    as_of: datetime.date | None = None,
    draft: bool = True,
    revision: int = 1,
    requested_by: str = "",
    authors: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    scope: ReportScope | None = None,
) -> bytes:
    """The report for `month` as of `as_of` as PDF bytes; `progress(percent)` is told as the work advances."""
    body = render_report_body(month=month, as_of=as_of, progress=progress, scope=scope)
    cover = Cover(
        month=month,
        as_of=as_of or month_end(month),
        revision=revision,
        draft=draft,
        authors=authors or [],
        requested_by=requested_by,
        scope_label=report_scope_label(scope),
    )
    return report_pdf_from_body(body=body, cover=cover, progress=progress)
