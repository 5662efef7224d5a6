"""`manage.py import_tracker` on real files: CSV, XLSX, exit status, dry run, and a generated tracker round trip."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from actions.models import Action, ChildOfConcern
from audits.models import AreaGrade, Audit, PracticeArea
from imports.examples import example_tracker, tracker_csv, tracker_header
from imports.management.commands.import_tracker import Command
from imports.rows import AREA_PREFIX
from moderation.models import Moderation

pytestmark = pytest.mark.django_db

HEADER = "audit_ref,month,team,service_area,child_ref,legal_status,auditor,outcome,due_on,submitted_on,auditor_grade"
GOOD_ROW = "A-1,2026-09,North,Children's Social Care,CH-1,CIN,asmith,returned,2026-09-25,2026-09-20,GOOD"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_tracker", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_csv_is_imported_and_summarised(tmp_path):
    audits = write(tmp_path, "AUDITS.csv", f"\ufeff{HEADER}\r\n{GOOD_ROW}\r\n")
    actions = write(
        tmp_path,
        "ACTIONS.csv",
        "action_ref,audit_ref,description,owner,due_on,completed_on\nX-1,A-1,Update plan,mgr,2026-10-30,\n",
    )

    out, err = run(audits, "--actions", actions)

    assert err == ""
    assert out.splitlines()[:2] == [
        "Imported 1 audit rows and 1 action rows.",
        "Created: 1 audit, 1 action, 1 team, 1 service area, 2 users, 1 child, 0 moderations, "
        "0 children of concern, 0 practice-area grades.",
    ]
    assert Audit.objects.get().external_ref == "A-1"
    assert Action.objects.get().audit == Audit.objects.get()


def test_dry_run_prints_the_counts_and_writes_nothing(tmp_path):
    audits = write(tmp_path, "AUDITS.csv", f"{HEADER}\n{GOOD_ROW}\n")

    out, _ = run(audits, "--dry-run")

    assert "Dry run: checked 1 audit rows and 0 action rows; nothing was written." in out
    assert "Would create: 1 audit, 0 actions, 1 team, 1 service area, 1 user, 1 child," in out
    assert "Would update: 0 audits," in out
    assert not Audit.objects.exists()


def test_problems_go_to_stderr_as_row_and_column_and_the_command_fails(tmp_path):
    bad = GOOD_ROW.replace("2026-09,", "Sept 2026,").replace("GOOD", "SUPERB")
    audits = write(tmp_path, "AUDITS.csv", f"{HEADER}\n{GOOD_ROW}\n{bad.replace('A-1', 'A-2')}\n")

    with pytest.raises(CommandError) as raised:
        run(audits)

    assert raised.value.returncode == 1
    assert "Nothing was imported: 2 problems (listed above)." in str(raised.value)
    assert not Audit.objects.exists()


def test_problems_are_printed_line_by_line_and_the_exit_status_is_1(tmp_path, capsys):
    bad = GOOD_ROW.replace("2026-09,", "Sept 2026,")
    audits = write(tmp_path, "AUDITS.csv", f"{HEADER}\n{bad}\n")

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_tracker", audits])

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert 'ROW 2, COLUMN month: "Sept 2026" is not a month (use YYYY-MM)\n' in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf \r\n\r\n", "the file is empty"),
        (
            f"{HEADER}\n{GOOD_ROW}\nA-2,2026-09,Caf\xe9".encode("latin-1"),
            "the file is not UTF-8 text (line 3 holds a byte UTF-8 does not allow); "
            "in Excel use Save As and choose 'CSV UTF-8'",
        ),
        (b"PK\x03\x04not really a workbook", "the file is not a readable XLSX workbook; save it as .xlsx or CSV UTF-8"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "this looks like an old Excel .xls file or a password-protected workbook; "
            "save it as .xlsx (without a password) or as CSV UTF-8",
        ),
    ],
)
def test_unreadable_files_get_one_clear_message(tmp_path, capsys, content, message):
    audits = write(tmp_path, "AUDITS.csv", content)

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_tracker", audits])

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"{audits}: {message}" in err
    assert "Traceback" not in err


def test_missing_columns_are_each_named_on_the_header_row(tmp_path, capsys):
    audits = write(tmp_path, "AUDITS.csv", "audit_ref,month,team\nA-1,2026-09,North\n")

    with pytest.raises(SystemExit):
        Command().run_from_argv(["manage.py", "import_tracker", audits])

    err = capsys.readouterr().err
    for column in ("service_area", "child_ref", "legal_status", "auditor", "outcome", "due_on"):
        assert f"ROW 1, COLUMN {column}: this required column is missing" in err


def test_a_semicolon_separated_file_is_recognised(tmp_path):
    audits = write(tmp_path, "AUDITS.csv", HEADER.replace(",", ";") + "\n" + GOOD_ROW.replace(",", ";") + "\n")

    with pytest.raises(CommandError):
        run(audits)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*nowhere.csv: No such file or directory"):
        run(str(tmp_path / "nowhere.csv"))


def test_an_xlsx_workbook_is_read_from_its_first_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([*HEADER.split(","), "sw_participated", "area:assessment"])
    # What Excel stores: a month typed as "Sep 2026" is a date; dates are dates; yes/no may be booleans.
    sheet.append(
        ["A-1", datetime.datetime(2026, 9, 1), "North", "Early Help", 12345, "cla", "asmith", "returned"]
        + [datetime.date(2026, 9, 25), datetime.datetime(2026, 9, 20), "good", True, "NA"]
    )
    sheet.append([None] * 13)
    sheet.append(["A-2", "2026-10", "North", "Early Help", "CH-2", "CIN", "asmith", "nil_return", "2026-10-25"])
    workbook.create_sheet("Notes").append(["ignored"])
    path = tmp_path / "tracker.xlsx"
    workbook.save(path)

    out, _ = run(str(path))

    assert "Created: 2 audits" in out
    audit = Audit.objects.get(external_ref="A-1")
    assert audit.month == datetime.date(2026, 9, 1)
    assert audit.child.case_ref == "12345"
    assert audit.submitted_on == datetime.date(2026, 9, 20)
    assert audit.sw_participated is True
    assert audit.area_grades.get().grade == "na"
    assert Audit.objects.get(external_ref="A-2").status == Audit.Status.NIL_RETURN


def test_an_xlsx_problem_names_the_spreadsheet_row(tmp_path, capsys):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(GOOD_ROW.split(","))
    sheet.append([])
    sheet.append(GOOD_ROW.replace("A-1", "A-2").replace("CIN", "Unknown").split(","))
    path = tmp_path / "tracker.xlsx"
    workbook.save(path)

    with pytest.raises(SystemExit):
        Command().run_from_argv(["manage.py", "import_tracker", str(path)])

    assert 'ROW 4, COLUMN legal_status: "Unknown" is not a legal status' in capsys.readouterr().err


def test_a_generated_tracker_round_trips_into_the_records_it_describes(tmp_path):
    slugs = list(PracticeArea.objects.filter(template__is_current=True).values_list("slug", flat=True))
    rows, actions = example_tracker(120, seed=3, teams=4, area_slugs=slugs)
    audits_path = write(tmp_path, "AUDITS.csv", tracker_csv(rows, tracker_header(slugs)))
    actions_path = write(tmp_path, "ACTIONS.csv", tracker_csv(actions))

    run(audits_path, "--actions", actions_path)

    grade_key = {"OUTSTANDING": "outstanding", "GOOD": "good", "RI": "requires_improvement"}
    grade_key |= {"INADEQUATE": "inadequate", "NA": "na", "": ""}
    yes_no = {"yes": True, "no": False, "": None}
    status = {"returned": "submitted", "exempted": "exempted", "nil_return": "nil_return", "not_ready": "sent_back"}
    audits = {
        a.external_ref: a
        for a in Audit.objects.select_related("team__service_area", "child", "auditor", "service_area")
    }
    moderations = {m.audit.external_ref: m for m in Moderation.objects.select_related("audit", "moderator")}
    concerns = {c.audit.external_ref: c for c in ChildOfConcern.objects.select_related("audit")}
    grades = {}
    for ref, slug, grade in AreaGrade.objects.values_list("audit__external_ref", "area__slug", "grade"):
        grades.setdefault(ref, {})[slug] = grade
    assert len(audits) == 120
    # The generated tracker holds every case the mapping distinguishes.
    assert {row["outcome"] for row in rows} == set(status)
    assert moderations and concerns and actions
    assert any(c.resolved_on for c in concerns.values()) and any(not c.resolved_on for c in concerns.values())
    for row in rows:
        audit = audits[row["audit_ref"]]
        assert audit.month.strftime("%Y-%m") == row["month"]
        assert (audit.team.name, audit.service_area.name) == (row["team"], row["service_area"])
        assert audit.child.case_ref == row["child_ref"]
        assert (audit.legal_status, audit.auditor.username) == (row["legal_status"], row["auditor"])
        assert audit.status == status[row["outcome"]]
        assert audit.due_on.isoformat() == row["due_on"]
        assert (audit.submitted_on.isoformat() if audit.submitted_on else "") == row["submitted_on"]
        assert audit.auditor_grade == grade_key[row["auditor_grade"]]
        assert audit.at_risk is (row["at_risk"] == "yes")
        for column in ("sw_participated", "manager_participated", "child_spoken_to", "parent_spoken_to"):
            assert getattr(audit, column) is yes_no[row[column]]
        assert (audit.iro_views, audit.child_feedback, audit.parent_feedback) == (
            row["iro_views"],
            row["child_feedback"],
            row["parent_feedback"],
        )
        assert (audit.finalised_on.isoformat() if audit.finalised_on else "") == row["finalised_on"]
        assert audit.exemption_reason == row["exemption_reason"]
        wanted_grades = {c[len(AREA_PREFIX) :]: grade_key[v] for c, v in row.items() if c.startswith(AREA_PREFIX) and v}
        assert grades.get(row["audit_ref"], {}) == wanted_grades
        moderation = moderations.get(row["audit_ref"])
        if row["moderator"]:
            assert moderation.moderator.username == row["moderator"]
            assert moderation.grade == grade_key[row["moderator_grade"]]
            assert moderation.moderated_on.isoformat() == row["moderated_on"]
            final = grade_key[row["moderator_grade"]]
        else:
            assert moderation is None
            final = grade_key[row["auditor_grade"]] if row["outcome"] == "returned" else ""
        assert audit.final_grade == final
        concern = concerns.get(row["audit_ref"])
        assert (concern is not None) is (final == "inadequate")
        if concern is not None:
            assert (concern.resolved_on.isoformat() if concern.resolved_on else "") == row["coc_resolved_on"]
    imported_actions = {
        a.external_ref: a for a in Action.objects.select_related("audit", "owner").filter(external_ref__isnull=False)
    }
    assert len(imported_actions) == len(actions)
    for row in actions:
        action = imported_actions[row["action_ref"]]
        assert action.audit.external_ref == row["audit_ref"]
        assert (action.description, action.owner.username) == (row["description"], row["owner"])
        assert action.due_on.isoformat() == row["due_on"]
        assert (action.completed_on.isoformat() if action.completed_on else "") == row["completed_on"]
