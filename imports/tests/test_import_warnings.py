"""Tracker history as it stands (contracts.md section 1): UK dates and XLSX date cells, warnings not refusals."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from actions.models import ChildOfConcern
from audits.models import Audit
from imports.examples import example_tracker, tracker_csv
from imports.models import ImportRun
from imports.rows import parse_date
from imports.services import import_run_check, import_tracker_files, import_tracker_rows
from imports.tests.test_import_rows import tracker_row
from people.tests.factories import QualityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-25", datetime.date(2026, 3, 25)),
        ("25/03/2026", datetime.date(2026, 3, 25)),
        ("5/3/2026", datetime.date(2026, 3, 5)),
        ("2026-03-25 00:00:00", datetime.date(2026, 3, 25)),
    ],
)
def test_one_date_parser_reads_iso_uk_and_excel_dates(text, expected):
    assert parse_date(text) == expected


def test_uk_dates_are_accepted_in_every_date_column():
    row = tracker_row(
        due_on="25/09/2026",
        submitted_on="22/09/2026",
        moderator="mjones",
        moderator_grade="RI",
        moderated_on="01/10/2026",
        finalised_on="03/10/2026",
    )
    action = {"action_ref": "X-1", "audit_ref": "A-1", "description": "d", "owner": "mgr", "due_on": "01/12/2026"}

    result = import_tracker_rows([row], [action | {"completed_on": "20/11/2026"}])

    assert result.ok, [str(p) for p in result.problems]
    audit = Audit.objects.get()
    assert (audit.due_on, audit.submitted_on, audit.finalised_on) == (
        datetime.date(2026, 9, 25),
        datetime.date(2026, 9, 22),
        datetime.date(2026, 10, 3),
    )
    assert audit.moderation.moderated_on == datetime.date(2026, 10, 1)
    assert audit.actions.get().completed_on == datetime.date(2026, 11, 20)


def test_xlsx_date_cells_with_a_time_of_midnight_are_dates(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    row = tracker_row()
    sheet.append(list(row))
    values = list(row.values())
    values[list(row).index("due_on")] = datetime.datetime(2026, 9, 25)
    values[list(row).index("submitted_on")] = datetime.date(2026, 9, 22)
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_tracker_files(buffer.getvalue(), audits_name="tracker.xlsx")

    assert result.ok, [str(p) for p in result.problems]
    assert Audit.objects.get().due_on == datetime.date(2026, 9, 25)


def _two_year_tracker_with_an_early_resolution():
    rows, actions = example_tracker(480, seed=12, teams=1, end_month=datetime.date(2026, 10, 1))
    assert len({row["month"] for row in rows}) == 24
    inadequate = next(row for row in rows if row["auditor_grade"] == "INADEQUATE" and row["outcome"] == "returned")
    submitted = datetime.date.fromisoformat(inadequate["submitted_on"])
    # Resolved (outside the product, years ago) three days before the product would have raised it.
    inadequate["coc_resolved_on"] = (submitted - datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    return rows, actions, inadequate, submitted


def test_the_issues_two_year_tracker_with_a_concern_resolved_before_it_was_raised_imports_with_a_warning():
    rows, actions, inadequate, submitted = _two_year_tracker_with_an_early_resolution()

    result = import_tracker_rows(rows, actions)

    assert result.ok, [str(p) for p in result.problems[:5]]
    assert Audit.objects.count() == 480
    concern = ChildOfConcern.objects.get(audit__external_ref=inadequate["audit_ref"])
    assert concern.resolved_on == submitted - datetime.timedelta(days=3)
    early = [str(w) for w in result.warnings if w.column == "coc_resolved_on"]
    assert len(early) == 1
    assert early[0].endswith(f"raised the Child of Concern ({submitted.isoformat()}); imported as it stands")


def test_the_command_prints_the_warnings_and_imports(tmp_path):
    rows, actions, _, _ = _two_year_tracker_with_an_early_resolution()
    path = tmp_path / "AUDITS.csv"
    path.write_text(tracker_csv(rows), encoding="utf-8")
    out = io.StringIO()

    call_command("import_tracker", str(path), stdout=out)

    warnings = [line for line in out.getvalue().splitlines() if line.startswith("Warning: ROW ")]
    assert len(warnings) == 1 and "COLUMN coc_resolved_on" in warnings[0]
    assert Audit.objects.count() == 480


def test_an_import_run_keeps_its_warnings_for_the_preview_and_the_record(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile

    run = ImportRun(by=QualityFactory(), audits_filename="AUDITS.csv", status=ImportRun.Status.CHECKING)
    run.audits_file.save("x.csv", ContentFile(tracker_csv([tracker_row(submitted_on="2026-12-01")]).encode()))

    import_run_check(run_id=run.pk)

    run.refresh_from_db()
    assert run.problems == []
    assert run.warnings == [
        {"file": "AUDITS.csv", "row": 2, "column": "submitted_on", "message": "2026-12-01 is in the future"}
    ]
    assert run.counts["warnings"] == 1


def test_the_preview_page_lists_the_warnings_and_still_offers_the_import(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    client.force_login(QualityFactory())
    text = tracker_csv([tracker_row(auditor_grade="INADEQUATE", coc_resolved_on="21/09/2026")])

    response = client.post(
        reverse("imports:upload"), {"audits_file": SimpleUploadedFile("AUDITS.csv", text.encode())}, follow=True
    )

    page = response.content.decode()
    assert "1 warning: these rows will be imported as they stand" in page
    assert "is before the day the product would have raised the Child of Concern (2026-09-22)" in page
    assert "Import these records" in page
