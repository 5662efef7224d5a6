"""In a real browser: the QA team opens a re-audit, reads its grades beside the earlier audit's, downloads the
audit as a PDF for the child's record and finds the download in the audit's history (issue 14); axe on each."""

import datetime
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from actions.tests.factories import ActionFactory
from audits.tests.factories import AreaGradeFactory, AuditFactory, PracticeAreaFactory
from people.tests.factories import QualityFactory

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quality_compares_a_re_audit_and_downloads_it_for_the_childs_record(page, sign_in, axe, tmp_path):
    quality = QualityFactory(username="quality")
    earlier = AuditFactory(
        returned=True, month=datetime.date(2026, 6, 1), auditor_grade="inadequate", final_grade="inadequate"
    )
    reaudit = AuditFactory(
        returned=True,
        child=earlier.child,
        month=datetime.date(2026, 9, 1),
        template=earlier.template,
        auditor_grade="requires_improvement",
        final_grade="requires_improvement",
        reaudit_of=earlier,
    )
    for slug, before, after in (("chronology", "inadequate", "good"), ("plan", "requires_improvement", "inadequate")):
        area = PracticeAreaFactory(template=earlier.template, slug=slug, name=slug.capitalize())
        AreaGradeFactory(audit=earlier, area=area, grade=before)
        AreaGradeFactory(audit=reaudit, area=area, grade=after, evidence=f"{slug} evidence on re-audit")
    ActionFactory(audit=earlier, completed_on=datetime.date(2026, 8, 1))

    sign_in("quality")
    page.goto(f"/audits/{reaudit.pk}/")
    expect(page.get_by_role("heading", name="Re-audit: compared with the earlier audit")).to_be_visible()
    table = page.locator("#reaudit-areas")
    expect(table.get_by_role("row", name="Chronology Inadequate Good Better")).to_be_visible()
    expect(table.get_by_role("row", name="Plan Requires Improvement Inadequate Worse")).to_be_visible()
    expect(page.get_by_text("1 of 1")).to_be_visible()
    axe(page, "reaudit-comparison")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF for the child's record").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-2026-09.pdf")
    path = tmp_path / "audit.pdf"
    download.save_as(path)
    text = subprocess.run([PDFTOTEXT, str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "OFFICIAL-SENSITIVE" in text
    assert "chronology evidence on re-audit" in text
    assert earlier.child.case_ref in text

    page.get_by_role("link", name="History").click()
    page.wait_for_url(f"**/audits/{reaudit.pk}/history/")
    expect(page.get_by_role("heading", name=f"Downloaded as PDF: {quality}")).to_be_visible()
    axe(page, "audit-history-download")
