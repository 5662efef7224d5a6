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
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone

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


def report_pdf(
    *,
    month: datetime.date,
    as_of: datetime.date | None = None,
    draft: bool = True,
    revision: int = 1,
    requested_by: str = "",
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The report for `month` as of `as_of` as PDF bytes; `progress(percent)` is told as the work advances."""

    def step(percent: int) -> None:
        if progress is not None:
            progress(percent)

    context = report_context(month, as_of)
    step(30)
    context.update(
        pdf=True,
        draft=draft,
        revision=revision,
        requested_by=requested_by,
        generated_at=timezone.localtime(),
        chart_base_url=CHART_BASE_URL,
    )
    html = render_to_string("reports/report_pdf.html", context)
    charts = {f"{chart.name}.svg": chart.svg.encode() for chart in context["charts"].values() if chart.has_data}
    step(45)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnlyFetcher(charts))
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    step(95)
    return pdf
