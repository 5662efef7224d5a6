"""Hostile uploads: the tracker import reads within limits, so no request (and no check) can run away.

Before these limits, the upload's request ran the whole check: a 5 MB CSV of bad rows took 37 s and 3 GB
(1.6 million problems kept), a 20 KB workbook declaring A1:XFD1048576 did not finish in two minutes, and a
2 MB zip bomb took 28 s and 2.2 GB. The bounds below are generous (a shared CI machine, tracemalloc's own
cost) and still far below those figures.
"""

from __future__ import annotations

import io
import signal
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.models import Audit
from caseload.models import Child
from imports import examples, readers, rows, services
from imports.models import ImportRun
from imports.tests import hostile_trackers
from people.models import Team
from people.tests.factories import QualityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory(username="hoq"))
    return client


class TookTooLong(Exception):
    pass


@contextmanager
def measured(*, seconds: float, trace_memory: bool = True):
    """Wall time and the peak of Python's allocations (tracemalloc) inside the block.

    The block is stopped with TookTooLong after `seconds`, so a file that would keep a worker busy for ever
    fails the test instead of hanging it. tracemalloc slows code that allocates a lot; `trace_memory=False`
    leaves it off where time is the point.
    """

    def stop(signum, frame):
        raise TookTooLong(f"still running after {seconds} s")

    figures: dict[str, float] = {}
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    if trace_memory:
        tracemalloc.start()
    start = time.monotonic()
    try:
        yield figures
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        figures["seconds"] = time.monotonic() - start
        if trace_memory:
            figures["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()


def upload(client, data: bytes, name: str):
    return client.post(reverse("imports:upload"), {"audits_file": SimpleUploadedFile(name, data)})


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def assert_nothing_written():
    assert not Audit.objects.exists()
    assert not Team.objects.exists()
    assert not Child.objects.exists()


def test_a_five_megabyte_csv_of_bad_rows_stops_at_a_thousand_problems_in_bounded_time_and_memory(
    quality_client, settings, django_capture_on_commit_callbacks
):
    data = hostile_trackers.bad_rows_csv(5_000_000)

    # The request and the worker's check (run in process here), measured together.
    with django_capture_on_commit_callbacks(execute=True), measured(seconds=60) as figures:
        response = upload(quality_client, data, "AUDITS.csv")

    run = ImportRun.objects.get()
    assert figures["peak_mb"] < 400, figures
    assert run.status == ImportRun.Status.PREVIEWED
    assert len(run.problems) == rows.MAX_PROBLEMS + 1
    assert run.problems[-1]["row"] is None
    assert run.problems[-1]["message"].startswith("checking stopped after 1,000 problems")
    assert_nothing_written()
    assert stored_files(settings) == []  # nothing can come of the file, so it is not kept
    page = quality_client.get(response.url).content.decode()
    assert "1001 problems: nothing was imported" in page
    assert "Page 1 of 11" in page


def test_a_large_upload_is_only_stored_in_the_request_and_checked_by_the_worker(
    quality_client, django_capture_on_commit_callbacks
):
    data = hostile_trackers.bad_rows_csv(5_000_000)

    with django_capture_on_commit_callbacks(execute=False) as queued, measured(seconds=10) as figures:
        response = upload(quality_client, data, "AUDITS.csv")

    run = ImportRun.objects.get()
    assert figures["peak_mb"] < 100, figures
    assert run.status == ImportRun.Status.CHECKING
    assert len(queued) == 1
    page = quality_client.get(response.url).content.decode()
    assert "Checking the files" in page
    assert "Reading the files" in page
    assert 'hx-trigger="every 1s"' in page
    assert "Import these records" not in page
    # Confirming is refused while the check runs.
    confirm = quality_client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
    assert "still being checked" in confirm.content.decode()

    queued[0]()  # the worker runs the check

    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED
    assert len(run.problems) == rows.MAX_PROBLEMS + 1
    assert run.rows_total > 50_000
    progress = quality_client.get(reverse("imports:progress", args=[run.pk]), headers={"HX-Request": "true"})
    assert progress.headers["HX-Refresh"] == "true"


def test_a_clean_large_file_checked_by_the_worker_can_then_be_imported(
    quality_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "CHECK_IN_REQUEST_BYTES", 100)
    csv = examples.tracker_csv(examples.example_tracker(5, seed=4, teams=2)[0])

    with django_capture_on_commit_callbacks(execute=True):
        upload(quality_client, csv.encode(), "AUDITS.csv")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED and run.problems == []
    assert run.rows_total == 5
    with django_capture_on_commit_callbacks(execute=True):
        quality_client.post(reverse("imports:confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.started_at is not None
    assert Audit.objects.count() == 5


def test_the_check_records_how_many_rows_it_has_read_and_checked(
    quality_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "CHECK_IN_REQUEST_BYTES", 100)
    monkeypatch.setattr(rows, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int]] = []
    record = services._record_progress

    def spy(run_id, **fields):
        record(run_id, **fields)
        run = ImportRun.objects.get(pk=run_id)
        seen.append((run.rows_total, run.rows_done))

    monkeypatch.setattr(services, "_record_progress", spy)
    csv = examples.tracker_csv(examples.example_tracker(5, seed=4, teams=2)[0])

    with django_capture_on_commit_callbacks(execute=True):
        upload(quality_client, csv.encode(), "AUDITS.csv")

    assert seen[0] == (5, 0)  # the rows are counted once the file is read
    assert (5, 4) in seen


def test_a_workbook_declaring_the_whole_grid_is_read_by_its_real_rows(quality_client):
    data = hostile_trackers.lying_dimension_xlsx(rows=2)
    assert len(data) < 20_000

    # openpyxl alone pads a million rows to 16,384 cells each: hours. tracemalloc would slow the million
    # blank rows tenfold, and they allocate nothing that stays, so only time is measured here.
    with measured(seconds=10, trace_memory=False):
        upload(quality_client, data, "AUDITS.xlsx")

    run = ImportRun.objects.get()
    assert run.problems == []
    assert run.rows_total == 2
    assert run.counts["audits"]["created"] == 2
    assert_nothing_written()


def test_rows_padded_to_the_grids_last_column_cost_little(quality_client):
    data = hostile_trackers.wide_rows_xlsx(rows=5_000)

    with measured(seconds=15) as figures:
        upload(quality_client, data, "AUDITS.xlsx")

    run = ImportRun.objects.get()
    assert figures["peak_mb"] < 100, figures
    assert run.problems == []
    assert run.rows_total == 2


def test_a_row_declared_beyond_the_sheets_declared_size_is_still_read():
    # The opposite lie: a sheet that declares A1:I2 but holds three rows. openpyxl alone would stop at row 2.
    data = hostile_trackers._replace_member(
        hostile_trackers._small_workbook(2),
        hostile_trackers.SHEET,
        lambda xml: xml.replace(b'<dimension ref="A1:I3"/>', b'<dimension ref="A1:I2"/>'),
    )

    table = readers.read_table(data, name="AUDITS.xlsx")

    assert [number for number, _ in table.rows] == [2, 3]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(quality_client, settings):
    data = hostile_trackers.zip_bomb_xlsx(1024)
    assert len(data) < 2_000_000

    with measured(seconds=5) as figures:
        response = upload(quality_client, data, "AUDITS.xlsx")

    run = ImportRun.objects.get()
    assert figures["peak_mb"] < 50, figures
    assert run.problems == [
        {
            "file": "AUDITS.xlsx",
            "row": None,
            "column": None,
            "message": "the workbook unpacks to 1,074 MB, more than the 268 MB a tracker may; save the sheet as "
            "CSV UTF-8, or split it by year and import each part",
        }
    ]
    assert_nothing_written()
    assert stored_files(settings) == []
    assert "the workbook unpacks to 1,074 MB" in quality_client.get(response.url).content.decode()


def test_a_zip_bomb_that_understates_its_size_is_unreadable_not_unpacked(quality_client):
    data = hostile_trackers.zip_bomb_xlsx(64, declared_size=1024)

    with measured(seconds=5) as figures:
        upload(quality_client, data, "AUDITS.xlsx")

    run = ImportRun.objects.get()
    assert figures["peak_mb"] < 50, figures
    assert run.problems[0]["message"] == "the file is not a readable XLSX workbook; save it as .xlsx or CSV UTF-8"
    assert_nothing_written()


def test_a_zip_of_many_parts_is_refused_from_its_end_record():
    data = hostile_trackers._small_workbook(1)
    # Claim 5,000 parts in the end record (its total-entries field); the real directory is never walked.
    patched = data[:-12] + (5000).to_bytes(2, "little") + data[-10:]

    with pytest.raises(readers.TrackerFileError, match="the workbook has 5,000 parts"):
        readers.read_table(patched, name="AUDITS.xlsx")


def test_more_rows_than_the_limit_is_one_clear_problem(monkeypatch):
    monkeypatch.setattr(readers, "MAX_DATA_ROWS", 3)
    csv = examples.tracker_csv(examples.example_tracker(4, seed=4, teams=2)[0])

    result = services.import_tracker_files(csv.encode(), dry_run=True)

    assert [str(problem) for problem in result.problems] == [
        "AUDITS.csv: the file has more than 3 rows below the header; split it (by year, say) and import each part"
    ]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_value_beyond_the_last_column_allowed_is_one_clear_problem(suffix):
    # In column 257. (A workbook is read one column past the limit: a value further right is in no column of
    # the format, so it would be ignored anyway.)
    cells = ["audit_ref", *[""] * (readers.MAX_COLUMNS - 1), "stray"]
    if suffix == "csv":
        data = (",".join(cells) + "\n").encode()
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.active.append([cell or None for cell in cells])
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()

    with pytest.raises(readers.TrackerFileError) as error:
        readers.read_table(data, name=f"AUDITS.{suffix}")

    assert str(error.value).startswith("row 1 has a value in column 257; a tracker has at most 256 columns")


def test_the_command_lists_the_first_thousand_problems_and_says_it_stopped(tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "AUDITS.csv"
    path.write_bytes(hostile_trackers.bad_rows_csv(200_000))

    with pytest.raises(CommandError, match="1001 problems"):
        call_command("import_tracker", str(path), "--dry-run")

    err = capsys.readouterr().err
    assert err.count("ROW ") == rows.MAX_PROBLEMS
    assert "checking stopped after 1,000 problems" in err
