"""The tracker's `reaudit_of` column (contracts.md section 1, issue 14): a row names the earlier audit it
re-audits, in the same file or already imported; a reference to nothing, to itself or to a later audit is a
problem at its row and column, and nothing is written."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audits.models import Audit
from imports.services import import_tracker_rows
from reports.tests.tracker import load_rows, tracker_row

pytestmark = pytest.mark.django_db


def row(ref, month, grade="INADEQUATE", reaudit_of="", **columns):
    return tracker_row(month, audit_ref=ref, child_ref="CH-7", auditor_grade=grade, reaudit_of=reaudit_of, **columns)


def linked() -> dict[str, str | None]:
    return dict(Audit.objects.values_list("external_ref", "reaudit_of__external_ref"))


def test_a_re_audit_is_linked_to_an_earlier_row_of_the_file_or_one_already_imported():
    load_rows([row("R-1", "2026-03")])
    load_rows(
        [
            # The re-audit comes before the audit it follows in the file: order does not matter.
            row("R-3", "2026-09", grade="GOOD", reaudit_of="R-2"),
            row("R-2", "2026-06", grade="RI", reaudit_of="R-1"),
            row("R-4", "2026-09", grade="GOOD"),
        ]
    )
    assert linked() == {"R-1": None, "R-2": "R-1", "R-3": "R-2", "R-4": None}


def test_re_importing_keeps_or_clears_the_link_as_the_file_says(tmp_path):
    load_rows([row("R-1", "2026-03"), row("R-2", "2026-06", reaudit_of="R-1")])
    # A file without the column leaves the link alone.
    without = [{k: v for k, v in r.items() if k != "reaudit_of"} for r in [row("R-2", "2026-06", grade="GOOD")]]
    assert import_tracker_rows(without).ok
    assert linked()["R-2"] == "R-1"
    # A blank cell clears it.
    assert import_tracker_rows([row("R-2", "2026-06", reaudit_of="")]).ok
    assert linked()["R-2"] is None


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("R-404", '"R-404" is neither in the audits file nor already imported'),
        ("R-2", "names this row itself; an audit cannot re-audit itself"),
        ("R-9", '"R-9" is an audit of 2026-10, after this row\'s month; a re-audit follows the audit it names'),
    ],
)
def test_a_bad_reference_is_a_problem_at_its_row_and_nothing_is_written(ref, message):
    result = import_tracker_rows([row("R-1", "2026-03"), row("R-2", "2026-06", reaudit_of=ref), row("R-9", "2026-10")])
    assert not result.ok
    assert [str(problem) for problem in result.problems] == [f"ROW 3, COLUMN reaudit_of: {message}"]
    assert not Audit.objects.exists()


def test_the_command_prints_the_problem_and_exits_1(tmp_path):
    header = (
        "audit_ref,month,team,service_area,child_ref,legal_status,auditor,outcome,due_on,submitted_on,auditor_grade"
    )
    rows = [
        "A-1,2026-03,North,Children's Social Care,CH-1,CIN,asmith,returned,2026-03-25,2026-03-20,INADEQUATE,",
        "A-2,2026-06,North,Children's Social Care,CH-1,CIN,asmith,returned,2026-06-25,2026-06-20,GOOD,A-0",
    ]
    path = tmp_path / "AUDITS.csv"
    path.write_text("\n".join([header + ",reaudit_of", *rows]) + "\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_tracker", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert 'ROW 3, COLUMN reaudit_of: "A-0" is neither in the audits file nor already imported' in err.getvalue()
    assert not Audit.objects.exists()
    # With the reference put right, the file imports and links.
    path.write_text("\n".join([header + ",reaudit_of", rows[0], rows[1].replace("A-0", "A-1")]) + "\n")
    call_command("import_tracker", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert linked() == {"A-1": None, "A-2": "A-1"}
