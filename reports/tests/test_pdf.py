"""The PDF: its text (read back with pdftotext), A4 and tagged, and a fetcher that loads nothing but our own files."""

import datetime
import shutil
import subprocess

import pytest

from reports.pdf import BASE_URL, CHART_BASE_URL, RefusedURL, StaticFilesOnlyFetcher, report_pdf
from reports.tests.factories import QualityFactory, ReportNarrativeFactory
from reports.tests.test_selectors import seed_000_rows
from reports.tests.tracker import load_rows, tracker_row

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_info(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdfinfo") or "/usr/bin/pdfinfo", str(path)], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.django_db
def test_the_pdf_holds_the_headings_contents_figures_narrative_and_appendix_but_no_child(tmp_path):
    load_rows(
        seed_000_rows()
        + [
            tracker_row("2019-12", "exempted", auditor="absent.auditor", team="Cheltenham Team 2"),
            tracker_row("2019-12", "nil_return", auditor="silent.auditor", team="Forest Team"),
            tracker_row("2019-12", "not_ready", auditor="hasty.auditor", team="Stroud Team"),
            tracker_row("2019-12", "returned", auditor="late.auditor", due_on="2019-12-20", submitted_on="2020-01-06"),
        ]
    )
    ReportNarrativeFactory(
        month=datetime.date(2019, 12, 1),
        executive_summary="Weaker practice persists in a quarter of audits.",
        conclusions="We recommend accountability-based leadership.",
        updated_by=QualityFactory(),
    )

    pdf = report_pdf(month=datetime.date(2019, 12, 1), revision=3, requested_by="Rob England")
    text = pdf_text(pdf, tmp_path)

    for heading in (
        "Monthly QA report: December 2019",
        "Contents",
        "Executive summary",
        "1. How are we doing?",
        "2. How do we know this?",
        "3. What are we doing about it?",
        "Appendix",
        "Table 1: Audit ratings by month",
        "Table 3: Ratings by legal status",
        "Returns over twelve months",
        "Moderator effect over five months",
        "Conclusions and recommendations",
    ):
        assert heading in text, heading
    assert "Weaker practice persists in a quarter of audits." in text
    assert "We recommend accountability-based leadership." in text
    assert "Not written yet." in text  # Methodology was left empty.
    # Seed 000 Table 1: October 22.5% Good, November 28.6% Good; page numbers in the footer.
    assert "22.5%" in text and "(28.6%)" in text
    assert "Page 1 of" in text
    assert "Revision 3" in text and "Rob England" in text
    for name in ("absent.auditor", "silent.auditor", "hasty.auditor", "late.auditor", "Cheltenham Team 2"):
        assert name in text
    assert "CH0" not in text  # No case reference of any child.

    info = pdf_info(pdf, tmp_path)
    assert "Tagged:          yes" in info
    assert "595.276 x 841.89" in info  # A4.
    assert "Title:           Monthly QA report, December 2019" in info


@pytest.mark.django_db
def test_an_empty_first_month_prints_dashes_not_zero_percent(tmp_path):
    text = pdf_text(report_pdf(month=datetime.date(2026, 10, 1)), tmp_path)
    assert "Monthly QA report: October 2026" in text
    assert "–" in text
    assert "0.0%" not in text
    assert "no chart, as there is no data for it yet" in text


@pytest.mark.django_db
def test_text_typed_into_the_narrative_cannot_make_the_pdf_fetch_anything(tmp_path, monkeypatch):
    fetched = []
    original = StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticFilesOnlyFetcher, "fetch", spy)
    ReportNarrativeFactory(
        month=datetime.date(2026, 10, 1),
        executive_summary='<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.org/x.css">',
        updated_by=QualityFactory(),
    )
    text = pdf_text(report_pdf(month=datetime.date(2026, 10, 1)), tmp_path)

    assert '<img src="file:///etc/passwd">' in text  # Printed as text, never loaded.
    assert all(url.startswith(BASE_URL) for url in fetched)
    assert any(url.endswith("/static/reports/report_pdf.css") for url in fetched)


def test_the_fetcher_serves_our_static_files_and_charts():
    fetcher = StaticFilesOnlyFetcher({"returns.svg": b"<svg/>"})
    css = fetcher.fetch(f"{BASE_URL}static/reports/report_pdf.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    chart = fetcher.fetch(f"{CHART_BASE_URL}returns.svg")
    assert chart.read() == b"<svg/>" and chart.content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/logo.png",
        "https://example.org/static/reports/report_pdf.css",
        f"{BASE_URL}static/../../qa_portal/settings.py",
        f"{BASE_URL}static/%2e%2e/%2e%2e/qa_portal/settings.py",
        f"{BASE_URL}static/reports/no-such-file.css",
        f"{BASE_URL}media/reports/someone-elses.pdf",
        f"{CHART_BASE_URL}not-made.svg",
        "data:text/css,body{color:red}",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(RefusedURL):
        StaticFilesOnlyFetcher({"returns.svg": b"<svg/>"}).fetch(url)


@pytest.mark.django_db
def test_publishing_makes_the_published_edition_of_the_same_pages_with_council_authors_and_marking(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    from reports import services
    from reports.models import ReportDocument

    settings.COUNCIL_NAME = "Gloucestershire County Council"
    settings.PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
    load_rows([tracker_row("2026-10", auditor_grade="GOOD"), tracker_row("2026-10", auditor_grade="RI")])
    author = QualityFactory(first_name="Rob", last_name="England")
    services.narrative_save(
        month=datetime.date(2026, 10, 1),
        by=author,
        executive_summary="Practice is improving.",
        methodology="",
        improvement_responses="",
        conclusions="",
    )
    head = QualityFactory(first_name="Ann", last_name="Head")
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = services.report_document_request(
            month=datetime.date(2026, 10, 1), as_of=datetime.date(2026, 10, 31), by=head
        )
    document.refresh_from_db()
    draft_pdf = document.file.read()
    # An edit after the draft was made does not slip into the published edition of that draft.
    services.narrative_save(
        month=datetime.date(2026, 10, 1),
        by=author,
        executive_summary="Edited after the draft.",
        methodology="",
        improvement_responses="",
        conclusions="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_document_publish(document=document, by=head)
    document.refresh_from_db()
    assert document.status == ReportDocument.Status.READY and not document.is_draft
    published_pdf = document.file.read()

    assert published_pdf != draft_pdf
    draft, published = pdf_text(draft_pdf, tmp_path), pdf_text(published_pdf, tmp_path)
    cover = published.split("\f", 1)[0]
    for text in ("Gloucestershire County Council", "OFFICIAL-SENSITIVE", "October 2026", "Rob England"):
        assert text in cover, text
    assert f"Published {document.published_at:%-d %B %Y} by Ann Head" in cover
    assert "draft" not in published.lower()
    assert "Draft for review" in draft and "DRAFT, revision 1" in draft
    # The marking heads every page of both editions.
    for text in (draft, published):
        pages = [page for page in text.split("\f") if page.strip()]
        assert all("OFFICIAL-SENSITIVE" in page for page in pages), len(pages)
    # The same pages under the cover: the narrative as it was when the draft was made.
    assert "Practice is improving." in published and "Edited after the draft." not in published
    assert draft.split("\f", 1)[1].replace("DRAFT, revision 1, not for circulation", "").split() == (
        published.split("\f", 1)[1].split()
    )
    info = pdf_info(published_pdf, tmp_path)
    assert "Author:          Rob England" in info
