"""The Head of Quality's journey in a real browser: write the summary, generate the PDF, download it, publish it."""

import datetime
import subprocess
import time

import pytest

from people.tests.factories import QualityFactory
from reports.models import ReportDocument
from reports.tests.tracker import load_rows, tracker_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def october_rows():
    rows = []
    for n, grade in enumerate(["GOOD"] * 5 + ["RI"] * 6 + ["INADEQUATE"] * 3 + ["OUTSTANDING"]):
        rows.append(
            tracker_row(
                "2026-10",
                auditor_grade=grade,
                team=f"Team {n % 4}",
                legal_status=["CIN", "CP", "CLA", "ASSESSMENT", "CARE_LEAVER", "CWD"][n % 6],
                sw_participated="yes",
                child_feedback="positive" if n % 2 else "mixed",
                moderator="moderator1" if n % 3 == 0 else "",
                moderator_grade="RI" if n % 3 == 0 else "",
            )
        )
    rows += [tracker_row("2026-09", auditor_grade="GOOD"), tracker_row("2026-10", "nil_return", auditor="quiet.one")]
    return rows


def test_the_head_of_quality_writes_the_summary_generates_the_pdf_and_downloads_it(
    page, sign_in, axe, tmp_path, settings
):
    # As under `make run`: no broker, so the job runs on a background thread and the page follows its progress.
    settings.REPORT_PDF_THREAD = True
    QualityFactory(username="quality", first_name="Rob", last_name="England")
    load_rows(october_rows())

    sign_in("quality")
    page.get_by_role("link", name="Reports", exact=True).click()
    axe(page, "report-index")
    page.get_by_role("link", name="October 2026").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Monthly QA report: October 2026"
    axe(page, "report-detail")

    page.get_by_role("link", name="Write or edit the narrative").click()
    axe(page, "report-narrative")
    page.get_by_label("Methodology").fill("Fifteen audits, a third of them moderated.")
    # htmx saves the draft two seconds after typing stops.
    page.get_by_role("status").filter(has_text="Draft saved").wait_for()
    page.get_by_label("Executive summary").fill(
        "Good practice is rising in October.\nKey findings:\n- **Voice of the child** is heard\n- Plans are late"
    )
    page.get_by_role("button", name="Save draft").click()
    assert "Narrative for October 2026 saved as a draft." in page.locator(".messages").inner_text()
    summary = page.locator("#summary")
    assert summary.get_by_role("listitem").all_inner_texts() == ["Voice of the child is heard", "Plans are late"]
    assert summary.locator("strong").inner_text() == "Voice of the child"

    started = time.monotonic()
    page.get_by_role("button", name="Generate PDF").click()
    page.wait_for_load_state()
    answered = time.monotonic() - started
    # The page answers at once, says what is happening, and shows the job's progress while it runs.
    assert answered < 3, f"the page took {answered:.1f} s to answer"
    assert "PDF revision 1 is being made: its progress is shown below" in page.locator(".messages").inner_text()
    download_link = page.get_by_role("link", name="Download draft PDF, revision 1")
    assert page.get_by_role("progressbar").count() == 1 or download_link.count() == 1
    # WeasyPrint's first PDF in a process loads its fonts: allow a slow, shared CI machine its time.
    download_link.wait_for(timeout=90000)
    axe(page, "report-with-pdf")
    with page.expect_download() as download_info:
        download_link.click()
    target = tmp_path / "report.pdf"
    download_info.value.save_as(target)

    assert target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Good practice is rising in October." in text
    assert "Monthly QA report: October 2026" in text
    assert "Fifteen audits, a third of them moderated." in text
    assert "quiet.one" in text  # The nil return in the appendix.
    assert "Draft for review" in text and "OFFICIAL-SENSITIVE" in text

    page.get_by_role("button", name="Publish revision 1").click()
    assert "Revision 1 published." in page.locator(".messages").inner_text()
    published_link = page.get_by_role("link", name="Download published PDF, revision 1")
    published_link.wait_for(timeout=90000)
    axe(page, "report-published")
    with page.expect_download() as download_info:
        published_link.click()
    download_info.value.save_as(target)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Published" in text and "Rob England" in text and "draft" not in text.lower()


def test_a_figure_on_the_report_leads_to_the_audits_behind_it(page, sign_in, axe):
    QualityFactory(username="quality")
    load_rows(october_rows())
    sign_in("quality")
    page.goto("/reports/2026/10/")
    # October's Inadequate: three by the auditor, one of them moderated up to Requires Improvement.
    page.locator("#table-ratings_by_month tr", has_text="Inadequate").get_by_role("link").last.click()
    assert page.locator("p.lead").inner_text() == "2 audits match these filters."
    assert page.get_by_role("row").count() == 3  # Header and two audits.
    axe(page, "report-drilldown")


def test_the_page_follows_a_pdf_being_made_and_offers_it_when_ready(page, sign_in):
    quality = QualityFactory(username="quality")
    document = ReportDocument.objects.create(
        month=datetime.date(2026, 10, 1),
        as_of=datetime.date(2026, 10, 31),
        requested_by=quality,
        status=ReportDocument.Status.RUNNING,
        progress=45,
    )
    sign_in("quality")
    page.goto("/reports/2026/10/#documents")
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "45"

    # The worker finishes: htmx, polling every two seconds, notices and the page offers the PDF and Publish.
    ReportDocument.objects.filter(pk=document.pk).update(
        status=ReportDocument.Status.READY, progress=100, file="reports/r.pdf"
    )
    page.get_by_role("button", name="Publish revision 1").wait_for(timeout=10000)
    assert page.get_by_role("link", name="Download draft PDF, revision 1").is_visible()
