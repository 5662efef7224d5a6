"""The commands' output, byte for byte, on fixed data at a frozen date (issue 11: nothing a user sees changes).

The expected files in `golden/` were written by today's code before the apps were reorganised. A change
here is a change to what councils' scripts read (contracts.md): if it is meant, say so in the commit and
replace the file with the new output, which a failing run leaves in `test-artifacts/golden/`.
"""

from __future__ import annotations

import datetime
import difflib
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings

GOLDEN = Path(__file__).resolve().parent / "golden"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "golden"
NOON = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=ZoneInfo("Europe/London"))
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.django_db


def assert_same_as_golden(name: str, actual: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    if actual == expected:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_text(actual, encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"golden/{name}", "now", n=1
        )
    )
    pytest.fail(f"{name} differs from the recorded output (new output in {ARTIFACTS / name}):\n{diff[:6000]}")


def command_output(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def report_json(month: str) -> str:
    out, _ = command_output("qa_report", "--month", month, "--format", "json")
    return out


def report_pdf_text(month: str, folder: Path) -> str:
    target = folder / f"report-{month}.pdf"
    command_output("qa_report", "--month", month, "--format", "pdf", "--output", str(target))
    return subprocess.run([PDFTOTEXT, "-layout", str(target), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def frozen_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.mark.usefixtures("frozen_noon")
def test_the_demo_authoritys_report_is_unchanged(tmp_path):
    with override_settings(DEBUG=True):
        command_output("seed_demo")
    assert_same_as_golden("demo_report_2026-10.json", report_json("2026-10"))
    assert_same_as_golden("demo_report_2026-11.json", report_json("2026-11"))
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed here: the JSON matched, the PDF was not read")
    assert_same_as_golden("demo_report_2026-10.pdf.txt", report_pdf_text("2026-10", tmp_path))


@pytest.mark.usefixtures("frozen_noon")
def test_importing_a_tracker_says_the_same_and_reports_the_same(monkeypatch):
    # File names appear in the output: run from the data folder so they read the same on every machine.
    monkeypatch.chdir(GOLDEN)
    files = ("tracker_audits.csv", "--actions", "tracker_actions.csv")

    dry_run, _ = command_output("import_tracker", *files, "--dry-run")
    imported, _ = command_output("import_tracker", *files)
    reimported, _ = command_output("import_tracker", "tracker_audits_update.csv")
    assert_same_as_golden("import_dry_run.txt", dry_run)
    assert_same_as_golden("import_real_run.txt", imported)
    assert_same_as_golden("import_update_run.txt", reimported)

    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_tracker", "tracker_audits_bad.csv", "--actions", "tracker_actions_bad.csv", stderr=err)
    assert_same_as_golden("import_refused.txt", err.getvalue() + str(refused.value) + "\n")

    assert_same_as_golden("tracker_report_2026-09.json", report_json("2026-09"))
    assert_same_as_golden("tracker_report_2026-10.json", report_json("2026-10"))
    assert_same_as_golden("tracker_report_2026-11.json", report_json("2026-11"))
