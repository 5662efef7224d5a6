"""`manage.py qa_report`: the contract's JSON on standard output, the PDF in process, and clear refusals."""

import datetime
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reports.selectors import report_figures
from reports.tests.test_selectors import seed_000_rows
from reports.tests.tracker import load_rows

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("qa_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_json_prints_the_contract_for_the_month_with_as_of_defaulting_to_month_end():
    load_rows(seed_000_rows())
    out, _ = run("--month", "2019-12", "--format", "json")
    data = json.loads(out)
    assert data == json.loads(json.dumps(report_figures(datetime.date(2019, 12, 1))))
    assert data["as_of"] == "2019-12-31"
    assert data["ratings_by_month"][0]["percent"]["good"] == 22.5


@pytest.mark.django_db
def test_json_as_of_and_output_file(tmp_path):
    target = tmp_path / "figures.json"
    run("--month", "2019-12", "--as-of", "2020-01-15", "--output", str(target))
    assert json.loads(target.read_text())["as_of"] == "2020-01-15"


@pytest.mark.django_db
def test_pdf_is_written_in_process_to_the_output_file(tmp_path, monkeypatch):
    calls = []

    def fake_report_pdf(**kwargs):
        calls.append(kwargs)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr("reports.pdf.report_pdf", fake_report_pdf)
    target = tmp_path / "report.pdf"
    _, err = run("--month", "2019-12", "--format", "pdf", "--output", str(target))
    assert target.read_bytes() == b"%PDF-1.7 fake"
    assert calls[0]["month"] == datetime.date(2019, 12, 1) and calls[0]["as_of"] == datetime.date(2019, 12, 31)
    assert f"Wrote {target}" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2019-13"], "'2019-13' is not a month in the form YYYY-MM"),
        (["--month", "December"], "is not a month in the form YYYY-MM"),
        (["--month", "2019-12", "--as-of", "31/12/2019"], "is not a date in the form YYYY-MM-DD"),
        (["--month", "2019-12", "--as-of", "2019-11-30"], "cannot be before the first day of the report month"),
        (["--month", "2019-12", "--format", "pdf"], "--format pdf needs --output"),
        (["--month", "2019-12", "--output", "/no/such/folder/x.json"], "does not exist"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--month", "2019-13"], 1, "CommandError: '2019-13' is not a month"),
        ([], 2, "the following arguments are required: --month"),
        (["--month", "2019-12", "--format", "xml"], 2, "invalid choice: 'xml'"),
    ],
)
def test_on_the_command_line_bad_arguments_exit_non_zero_without_a_traceback(args, status, message, tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "qa_report", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == status
    assert message in result.stderr
    assert "Traceback" not in result.stderr
