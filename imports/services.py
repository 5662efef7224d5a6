"""Import a council's spreadsheet tracker (contracts.md section 1) as the product's own records.

One AUDITS row is one allocation. It becomes an `Audit` keyed by `external_ref` = audit_ref (so a
re-import updates, never duplicates), with its `AreaGrade`s, a completed `Moderation` when a
moderator is named, and the `ChildOfConcern` that an Inadequate final grade raises. ACTIONS rows
become `Action`s keyed by `external_ref` = action_ref. Unknown service areas, teams, children and
users are created; users created here are inactive with an unusable password, so a name typed into
a spreadsheet never becomes a way to sign in.

All or nothing: every row is checked before anything is written, every problem is reported as
`ROW N, COLUMN X: what is wrong` (the header is row 1), and only a clean file is written, in one
transaction. Existing records are loaded up front in chunked `__in` queries and written with
`bulk_create` / `bulk_update`, never one query per row, so 100,000 rows import in well under a minute
(`bench/bench_import.py`).

Decisions the contract leaves open:
- `area:SLUG` columns must name a practice area of the current template (checked on the header).
  New audits take the current template; a re-imported audit keeps its own, and a graded cell for an
  area that its template lacks is a row error.
- A column left out of the file leaves that field of an already imported audit as it is; a blank
  cell in a column that is present clears it ("blank means not recorded"), and a blank area cell
  removes that area's grade. Columns the contract does not name are ignored and reported.
- Teams and service areas match existing ones ignoring case; usernames and case references match
  exactly. A new child takes the team and legal status of its latest row; an existing child keeps
  its identity, team and status, and each audit stores its own snapshot.
- `moderator` needs a `returned` row. An imported moderation is COMPLETED with sample reason
  IMPORTED; re-importing a row without a moderator removes an imported moderation but never one made
  in the product.
- The final grade comes from `audits.grading.audit_final_grade_of`, the product's one rule, and a
  moderation's outcome from `moderation.services.moderation_outcome`.
- A Child of Concern is raised on the day the product would have raised it: the submission date when
  the auditor graded Inadequate, else the moderation date. Historic concerns were handled outside the
  product, so `notified_at` is set and no e-mail goes out: telling managers today about a concern
  from years ago would be noise. A re-import never re-opens a resolved concern.
- `not_ready` rows become SENT_BACK audits without a `SendBack` record, because the tracker does not
  say who sent them back. Imported months get no `MonthPlan`; the audits are the allocation.

The pipeline: `imports.readers` reads each file into a table of text, `imports.rows` checks every row
(`TrackerCheck`), `imports.writer` writes the checked rows (`TrackerImport`); this module runs it for the
command (`import_tracker_files`) and for the QA team's import runs (preview, check, start, execute, discard).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.errors import ApplicationError
from imports.lists import import_kind
from imports.models import ImportRun
from imports.readers import Table, TrackerFileError, read_table, table_from_dicts, xlsx_unpacked_size
from imports.rows import MAX_PROBLEMS, ImportResult, Problem, _TooManyProblems
from imports.writer import TrackerImport
from people.models import User
from qa_portal.celery import enqueue

logger = logging.getLogger(__name__)
# Files that take more than this much text to read (CSV bytes, or what a workbook unpacks to) are checked by the
# worker with progress; smaller ones (up to about 3,000 rows) in the upload's request, which then takes a second or so.
CHECK_IN_REQUEST_BYTES = 500_000
# The most rows a caseload or staff list may have: England's largest authorities have under 20,000 open children and a
# few thousand staff, so a file beyond these is an export of something else (every case ever, say), refused at once.
LIST_MAX_ROWS = {"caseload": 100_000, "staff": 20_000}
LIST_ADVICE = {
    "caseload": "a caseload lists the open children (and recently closed ones); check what the export selects",
    "staff": "a staff list lists the council's children's services staff; check what the export selects",
}
# A check or import still unfinished after this long has died with its worker; the daily job fails it.
STUCK_RUN_AFTER = datetime.timedelta(hours=6)


# Public entry points -------------------------------------------------------------------------------


def _run(
    audits: Table | None,
    actions: Table | None,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    result: ImportResult,
    full: bool = False,
) -> ImportResult:
    """The one pipeline's checking and writing step, for any kind: the tracker (audits and actions tables) or a
    list (caseload, staff: one table). Problems and warnings come back in reading order."""
    try:
        if result.kind == "tracker":
            TrackerImport(audits, actions, dry_run=dry_run, progress=progress, result=result).run()
        else:
            import_kind(result.kind)(audits, full=full, dry_run=dry_run, progress=progress, result=result).run()
    except _TooManyProblems:
        result.stopped_early = True
    tables = [table for table in (audits, actions) if table is not None]
    file_order = {table.name: i for i, table in enumerate(tables)}
    positions = {(table.name, name): i for table in tables for i, name in enumerate(table.header)}

    def reading_order(problem: Problem) -> tuple[int, int, int]:
        column = positions.get((problem.file, problem.column), 10**6)
        return (file_order.get(problem.file, len(tables)), problem.row or 0, column)

    result.problems.sort(key=reading_order)
    result.warnings.sort(key=reading_order)
    if result.stopped_early:
        result.problems.append(
            Problem(
                file=tables[0].name if tables else "AUDITS",
                row=None,
                column=None,
                message=f"checking stopped after {MAX_PROBLEMS:,} problems; correct these (the same mistake is "
                "often on every row) and check the files again to see any others",
            )
        )
    return result


def import_tracker_files(
    audits: str | Path | bytes | IO[bytes],
    actions: str | Path | bytes | IO[bytes] | None = None,
    *,
    audits_name: str = "AUDITS.csv",
    actions_name: str = "ACTIONS.csv",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    rows_read: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check and import tracker files (CSV or XLSX). Nothing is written unless every row is right.

    `progress(rows_checked)` is called every PROGRESS_EVERY rows; `rows_read(rows)` once the files are read.
    """
    result = ImportResult(dry_run=dry_run)
    if actions_name == audits_name:
        # Two uploads may share a name (tracker.csv from two folders); problems must still say which file.
        actions_name = f"{actions_name} (actions)"
    tables: list[Table | None] = []
    for source, name in ((audits, audits_name), (actions, actions_name)):
        if source is None:
            tables.append(None)
            continue
        try:
            tables.append(read_table(source, name=name))
        except TrackerFileError as exc:
            result.problems.append(Problem(file=name, row=None, column=None, message=str(exc)))
            tables.append(None)
    if result.problems:
        return result
    if rows_read is not None:
        rows_read(sum(len(table.rows) for table in tables if table is not None))
    return _run(tables[0], tables[1], dry_run=dry_run, progress=progress, result=result)


def import_list_file(
    kind: str,
    source: str | Path | bytes | IO[bytes],
    *,
    name: str,
    full: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    rows_read: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check and import a caseload or staff file (contracts.md section 4), CSV or XLSX: all or nothing.

    With `full`, the file is the whole list: open children missing from it are closed, people missing from it
    can no longer sign in.
    """
    result = ImportResult(dry_run=dry_run, kind=kind)
    try:
        table = read_table(source, name=name, max_rows=LIST_MAX_ROWS[kind], advice=LIST_ADVICE[kind])
    except TrackerFileError as exc:
        result.problems.append(Problem(file=name, row=None, column=None, message=str(exc)))
        return result
    if rows_read is not None:
        rows_read(len(table.rows))
    return _run(table, None, dry_run=dry_run, progress=progress, result=result, full=full)


def import_files(
    kind: str,
    main: str | Path | bytes | IO[bytes] | None,
    actions: str | Path | bytes | IO[bytes] | None = None,
    *,
    main_name: str,
    actions_name: str = "",
    full: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    rows_read: Callable[[int], None] | None = None,
) -> ImportResult:
    """Any kind of import, as the runs (browser, drop folder) start it."""
    if kind == ImportRun.Kind.TRACKER:
        return import_tracker_files(
            main,
            actions,
            audits_name=main_name,
            actions_name=actions_name,
            dry_run=dry_run,
            progress=progress,
            rows_read=rows_read,
        )
    return import_list_file(
        kind, main, name=main_name, full=full, dry_run=dry_run, progress=progress, rows_read=rows_read
    )


def import_tracker_rows(
    rows: Iterable[Mapping[str, Any]],
    actions: Iterable[Mapping[str, Any]] | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import rows already in memory: dicts keyed by the tracker's column names.

    Values may be text as in the file, or Python values (`datetime.date` for dates and for `month`,
    booleans for yes/no, None for blank). Used by tests and by the report's checks, which rebuild
    the seeds' tables as tracker rows.
    """
    result = ImportResult(dry_run=dry_run)
    rows = list(rows)
    if not rows:
        result.problems.append(Problem(file="AUDITS", row=None, column=None, message="there are no rows to import"))
        return result
    audits_table = table_from_dicts(rows, name="AUDITS")
    actions_table = table_from_dicts(actions, name="ACTIONS") if actions is not None else None
    return _run(audits_table, actions_table, dry_run=dry_run, progress=progress, result=result)


# Import runs: the QA team's upload, preview, confirm and progress in the browser ------------------------


class ImportRunError(ApplicationError):
    """A run cannot be started (already started, or its files have problems)."""


def _stored_name(upload_name: str) -> str:
    # A random stored name: the upload's own name (kept in *_filename) may say whose records these are.
    suffix = Path(upload_name).suffix.lower()
    return uuid.uuid4().hex + (suffix if suffix in (".csv", ".xlsx") else "")


def _problem_dicts(result: ImportResult) -> list[dict[str, Any]]:
    return [problem.as_dict() for problem in result.problems]


def _warning_dicts(result: ImportResult | None) -> list[dict[str, Any]]:
    if result is None:
        return []
    warnings = [warning.as_dict() for warning in result.warnings]
    if result.warnings_total > len(warnings):
        more = result.warnings_total - len(warnings)
        warnings.append({"file": "", "row": None, "column": None, "message": f"and {more:,} more warnings not listed"})
    return warnings


def _run_counts(result: ImportResult | None, problems: list) -> dict[str, Any]:
    # The number of problems rides with the counts, so the history page never loads the problems themselves.
    counts: dict[str, Any] = dict(result.counts) if result is not None else {}
    counts["problems"] = len(problems)
    counts["warnings"] = result.warnings_total if result is not None else 0
    if result is not None:
        counts["rows"] = dict(result.rows)
    return counts


def _run_files(run: ImportRun) -> tuple[bytes | None, bytes | None]:
    contents = []
    for stored in (run.audits_file, run.actions_file):
        if not stored:
            contents.append(None)
            continue
        with stored.open("rb") as handle:
            contents.append(handle.read())
    return contents[0], contents[1]


def _delete_run_files(run: ImportRun) -> None:
    """Uploaded trackers hold children's case references: keep them no longer than the run needs them."""
    for stored in (run.audits_file, run.actions_file):
        if stored:
            stored.delete(save=False)


def checking_weight(data: bytes) -> int:
    """What checking a file costs, in bytes of text to read: its size for CSV, its unpacked size for XLSX.

    A workbook over the limits raises TrackerFileError here, before anything is unpacked.
    """
    if data[:4] == b"PK\x03\x04":
        return xlsx_unpacked_size(data)
    return len(data)


def _stored_weight(stored) -> int | None:
    """The checking weight of a stored upload (0 for none), or None when it is refused outright (the check then
    says why). A CSV is weighed by its size, without reading it into the request's memory."""
    if not stored:
        return 0
    with stored.open("rb") as handle:
        is_workbook = handle.read(4) == b"PK\x03\x04"
        if not is_workbook:
            return stored.size
        handle.seek(0)
        data = handle.read()
    try:
        return checking_weight(data)
    except TrackerFileError:
        return None


def import_run_preview(
    *,
    by: User,
    audits_upload: IO[bytes],
    actions_upload: IO[bytes] | None = None,
    kind: str = ImportRun.Kind.TRACKER,
    full: bool = False,
) -> ImportRun:
    """Store the uploaded files and check them as a dry run: the counts and every problem, nothing imported.

    Small files are checked at once, in the upload's own request. Larger ones are checked by the worker
    (`import_run_check`) with progress, so that no request spends more than a second or two and a few
    megabytes on them; the run is saved first, so files whose check dies are still found and discarded.
    """
    run = ImportRun(
        by=by,
        kind=kind,
        full=full and kind != ImportRun.Kind.TRACKER,
        audits_filename=Path(audits_upload.name).name[:255],
        actions_filename=Path(actions_upload.name).name[:255] if actions_upload else "",
        status=ImportRun.Status.CHECKING,
    )
    run.audits_file.save(_stored_name(audits_upload.name), audits_upload, save=False)
    if actions_upload is not None:
        run.actions_file.save(_stored_name(actions_upload.name), actions_upload, save=False)
    run.save()
    weights = [_stored_weight(stored) for stored in (run.audits_file, run.actions_file)]
    if None in weights or sum(weights) <= CHECK_IN_REQUEST_BYTES:
        import_run_check(run_id=run.pk)
    else:
        enqueue("audits.import_tasks.import_run_check", run.pk)
    run.refresh_from_db()
    return run


def _record_progress(run_id: int, **fields: int) -> None:
    # A plain UPDATE, outside any transaction of the import, so the progress page sees it at once.
    ImportRun.objects.filter(pk=run_id).update(**fields)


def _stopped_unexpectedly(run: ImportRun) -> list[dict[str, Any]]:
    return [
        {
            "file": run.audits_filename,
            "row": None,
            "column": None,
            "message": "the check stopped unexpectedly and nothing was imported; please try again "
            "or ask the system administrators",
        }
    ]


def import_run_check(*, run_id: int) -> str:
    """Check a run's files as a dry run and record the preview. Does nothing for a run already checked."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.CHECKING:
        return run.status
    try:
        audits_data, actions_data = _run_files(run)
        result = import_files(
            run.kind,
            audits_data,
            actions_data,
            main_name=run.audits_filename,
            actions_name=run.actions_filename,
            full=run.full,
            dry_run=True,
            progress=lambda checked: _record_progress(run_id, rows_done=checked),
            rows_read=lambda rows: _record_progress(run_id, rows_total=rows),
        )
    except Exception:
        # Logged by id only: the files hold personal data.
        logger.exception("Checking tracker import run %s stopped unexpectedly", run_id)
        problems, result = _stopped_unexpectedly(run), None
    else:
        problems = _problem_dicts(result)
    run.status = ImportRun.Status.PREVIEWED
    run.problems = problems
    run.warnings = _warning_dicts(result)
    run.counts = _run_counts(result, problems)
    run.rows_total = result.rows_total if result is not None else 0
    run.rows_done = 0
    if problems:
        # Nothing can be imported from these files; the QA team fixes them and uploads again.
        _delete_run_files(run)
        run.finished_at = timezone.now()
    run.save()
    return run.status


def import_run_start(*, run: ImportRun) -> ImportRun:
    """Confirm a clean preview: mark it running and queue the import after commit. Two clicks start one job."""
    if run.problems:
        raise ImportRunError("These files have problems, so nothing can be imported. Fix them and upload again.")
    with transaction.atomic():
        started = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PREVIEWED).update(
            status=ImportRun.Status.RUNNING, rows_done=0, started_at=timezone.now()
        )
        if started != 1:
            raise ImportRunError(
                "These files are still being checked; wait for the check to finish."
                if run.status == ImportRun.Status.CHECKING
                else "This import has already been started."
            )
        enqueue("audits.import_tasks.import_run_execute", run.pk)
    run.refresh_from_db()
    return run


def import_run_execute(*, run_id: int) -> str:
    """Import a confirmed run's files, recording progress and the outcome. A rerun of a finished run does nothing."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.RUNNING:
        return run.status

    try:
        audits_data, actions_data = _run_files(run)
        result = import_files(
            run.kind,
            audits_data,
            actions_data,
            main_name=run.audits_filename,
            actions_name=run.actions_filename,
            full=run.full,
            progress=lambda checked: _record_progress(run_id, rows_done=checked),
        )
    except Exception:
        # Logged by id only: the files hold personal data. The transaction rolled back, so nothing was written.
        logger.exception("Tracker import run %s stopped unexpectedly", run_id)
        problems = [
            {
                "file": run.audits_filename,
                "row": None,
                "column": None,
                "message": "the import stopped unexpectedly and nothing was imported; please try again "
                "or ask the system administrators",
            }
        ]
        result = None
    else:
        problems = _problem_dicts(result)
    run.status = ImportRun.Status.DONE if result is not None and result.ok else ImportRun.Status.FAILED
    run.problems = problems
    if result is not None:
        run.warnings = _warning_dicts(result)
    run.counts = _run_counts(result, problems) if result is not None else {**run.counts, "problems": len(problems)}
    if result is not None:
        run.rows_total = result.rows_total
    run.rows_done = run.rows_total
    run.finished_at = timezone.now()
    _delete_run_files(run)
    run.save()
    return run.status


def _discard(run: ImportRun, message: str, **changes: Any) -> None:
    _delete_run_files(run)
    run.problems = [{"file": run.audits_filename, "row": None, "column": None, "message": message}]
    run.counts = {**run.counts, "problems": 1}
    for name, value in changes.items():
        setattr(run, name, value)
    run.save(update_fields=["audits_file", "actions_file", "problems", "counts", *changes])


def _orphan_upload_names(*, older_than: datetime.datetime) -> list[str]:
    """Stored uploads no run refers to (a preview that died before its run was saved), older than `older_than`."""
    folder = ImportRun._meta.get_field("audits_file").upload_to.rstrip("/")
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    referenced = set()
    for audits_name, actions_name in ImportRun.objects.values_list("audits_file", "actions_file"):
        referenced.update((audits_name, actions_name))
    orphans = []
    for name in names:
        path = f"{folder}/{name}"
        if path not in referenced and default_storage.get_modified_time(path) < older_than:
            orphans.append(path)
    return orphans


def import_runs_discard_stale(
    *,
    older_than: datetime.timedelta = datetime.timedelta(days=1),
    stuck_after: datetime.timedelta = STUCK_RUN_AFTER,
) -> int:
    """Delete uploaded trackers nobody needs any more; they hold children's case references. Returns how many runs
    or files were discarded. Safe to run twice.

    - previews nobody confirmed within `older_than`;
    - runs still checking or importing `stuck_after` they began (the worker died, or was never there): they
      are marked failed, so a late task finds them finished and does nothing;
    - files of finished or failed runs that are somehow still there;
    - files no run refers to, older than `older_than` (a request killed between storing them and saving the run).
    """
    now = timezone.now()
    discarded = 0
    abandoned = ImportRun.objects.filter(status=ImportRun.Status.PREVIEWED, created_at__lt=now - older_than).exclude(
        audits_file=""
    )
    for run in abandoned:
        _discard(
            run,
            "this preview was not confirmed within a day, so its files were discarded; upload them again",
        )
        discarded += 1
    stuck = ImportRun.objects.filter(
        Q(status=ImportRun.Status.CHECKING, created_at__lt=now - stuck_after)
        | Q(status=ImportRun.Status.RUNNING, started_at__lt=now - stuck_after)
        | Q(status=ImportRun.Status.RUNNING, started_at__isnull=True, created_at__lt=now - stuck_after)
    )
    for run in stuck:
        # The conditional update keeps a run that finished in the meantime as it is.
        if ImportRun.objects.filter(pk=run.pk, status=run.status).update(status=ImportRun.Status.FAILED):
            _discard(
                run,
                "this check or import did not finish, so nothing was imported and its files were discarded; "
                "upload them again",
                status=ImportRun.Status.FAILED,
                finished_at=now,
            )
            discarded += 1
    finished = ImportRun.objects.filter(status__in=(ImportRun.Status.DONE, ImportRun.Status.FAILED)).exclude(
        audits_file="", actions_file=""
    )
    for run in finished:
        _delete_run_files(run)
        run.save(update_fields=["audits_file", "actions_file"])
        discarded += 1
    for name in _orphan_upload_names(older_than=now - older_than):
        default_storage.delete(name)
        discarded += 1
    return discarded
