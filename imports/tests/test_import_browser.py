"""The QA team imports a tracker in a real browser: a file with problems, then the corrected one, then the history."""

import pytest

from audits.models import Audit
from imports.examples import example_tracker, tracker_csv
from imports.models import ImportRun
from people.tests.factories import QualityFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quality_uploads_previews_confirms_and_sees_the_import_in_the_history(page, sign_in, axe, tmp_path):
    QualityFactory(username="quality", first_name="Quinn", last_name="Quality")
    rows, actions = example_tracker(30, seed=5, teams=3)
    bad_rows = [dict(row) for row in rows]
    bad_rows[4]["month"] = "May 2026"
    bad_rows[7]["legal_status"] = "<b>LAC</b>"
    (tmp_path / "AUDITS.csv").write_text(tracker_csv(bad_rows), encoding="utf-8")
    (tmp_path / "AUDITS-fixed.csv").write_text(tracker_csv(rows), encoding="utf-8")
    (tmp_path / "ACTIONS.csv").write_text(tracker_csv(actions), encoding="utf-8")

    sign_in("quality")
    page.get_by_role("link", name="Import tracker").click()
    page.get_by_role("heading", name="Import a spreadsheet tracker").wait_for()
    axe(page, "import-upload")

    page.get_by_label("Audits file").set_input_files(str(tmp_path / "AUDITS.csv"))
    page.get_by_role("button", name="Check the files").click()
    page.get_by_role("heading", name="2 problems: nothing was imported").wait_for()
    problems = page.get_by_role("table", name="Problems, by file and row (row 1 is the header row)")
    assert problems.get_by_role("row").nth(1).inner_text().split("\t")[:3] == ["AUDITS.csv", "6", "month"]
    assert page.get_by_text('"<b>LAC</b>" is not a legal status', exact=False).is_visible()
    assert page.get_by_role("button", name="Import these records").count() == 0
    axe(page, "import-preview-problems")

    page.get_by_role("link", name="upload the corrected files").click()
    page.get_by_label("Audits file").set_input_files(str(tmp_path / "AUDITS-fixed.csv"))
    page.get_by_label("Actions file (optional)").set_input_files(str(tmp_path / "ACTIONS.csv"))
    page.get_by_role("button", name="Check the files").click()
    page.get_by_text("Every row is correct. Nothing has been imported yet.").wait_for()
    preview = page.get_by_role("table", name="What the import would do")
    assert preview.get_by_role("row", name="Audits 30 0 0").is_visible()
    assert not Audit.objects.exists()
    axe(page, "import-preview")

    page.get_by_role("button", name="Import these records").click()
    page.get_by_text("Every row of the files was imported.").wait_for()
    assert page.get_by_role("table", name="What the import did").get_by_role("row", name="Audits 30 0 0").is_visible()
    assert Audit.objects.count() == 30
    assert ImportRun.objects.get(status=ImportRun.Status.DONE).counts["actions"]["created"] == len(actions)

    page.get_by_role("link", name="Past imports").click()
    history = page.get_by_role("table", name="Every import, newest first")
    assert history.get_by_role("row").count() == 3
    newest = history.get_by_role("row").nth(1).inner_text()
    assert "Quinn Quality" in newest and "AUDITS-fixed.csv" in newest and "Imported" in newest
    assert "Problems found" in history.get_by_role("row").nth(2).inner_text()
    axe(page, "import-history")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quality_imports_the_caseload_from_upload_to_preview_to_confirm(page, sign_in, axe, tmp_path):
    from caseload.models import Child
    from caseload.tests.factories import ChildFactory

    QualityFactory(username="quality", first_name="Quinn", last_name="Quality")
    ChildFactory(case_ref="GONE-1")
    (tmp_path / "caseload.csv").write_text(
        "case_ref,team,service_area,legal_status,social_worker,opened_on,flags\n"
        "MOS0000101,Cheltenham Safeguarding Team 2,Children's Social Care,CP,jsmith,25/03/2024,no_plan; plo\n"
        "MOS0000102,Stroud Children in Care Team 1,Children's Social Care,CLA,,10/01/2023,\n",
        encoding="utf-8",
    )

    sign_in("quality")
    page.get_by_role("link", name="Import tracker").click()
    page.get_by_role("heading", name="Import a spreadsheet tracker").wait_for()
    page.get_by_role("navigation", name="Imports").get_by_role("link", name="Caseload").click()
    page.get_by_role("heading", name="Import the caseload").wait_for()
    assert page.get_by_role("link", name="example caseload (CSV)").is_visible()
    axe(page, "import-caseload-upload")

    page.get_by_label("Caseload file").set_input_files(str(tmp_path / "caseload.csv"))
    page.get_by_label("This file is the whole list").check()
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("Every row is correct. Nothing has been imported yet.").wait_for()
    preview = page.get_by_role("table", name="What the import would do")
    assert preview.get_by_role("row", name="Children 2 0 1").is_visible()
    warnings = page.get_by_role("table", name="Warnings, by file and row (row 1 is the header row)")
    assert "social_worker" in warnings.get_by_role("row").nth(1).inner_text()
    assert not Child.objects.filter(case_ref="MOS0000101").exists()
    axe(page, "import-caseload-preview")

    page.get_by_role("button", name="Import these records").click()
    page.get_by_text("Every row of the files was imported.").wait_for()
    assert page.get_by_role("table", name="What the import did").get_by_role("row", name="Children 2 0 1").is_visible()
    assert Child.objects.filter(is_open=True).count() == 2
    axe(page, "import-caseload-done")
