"""The nightly drop folder (`IMPORT_DROP_DIR`): how councils deliver caseload and staff extracts (an SFTP drop).

Each file there is imported as `--full` through the one pipeline (`imports.services.import_files`), recorded as an
ImportRun (source "drop", with its counts, warnings and problems), then moved to `processed/` or `failed/` beside
it; the QA team is e-mailed when a file fails. A file whose content was already imported from the folder (same
SHA-256) is moved to `processed/` and not imported again.

The kind of a file comes from its name (`caseload` or `children` in it: the caseload; `staff`: the staff list),
else from its header row (`case_ref`: the caseload; `username`: the staff list). Caseload files go first, so the
staff list's teams exist when it names them.

The folder holds children's case references: it must never be one the site serves, and files are read from it
and moved within it, never copied to MEDIA_ROOT.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from imports.forms import ALLOWED_SUFFIXES, MAX_UPLOAD_BYTES
from imports.models import ImportRun
from imports.readers import TrackerFileError, read_table
from imports.services import _problem_dicts, _record_progress, _run_counts, _warning_dicts, import_files
from people.models import User

logger = logging.getLogger(__name__)

PROCESSED = "processed"
FAILED = "failed"
PROCESSING = "processing"


def served_folders() -> list[Path]:
    return [
        Path(folder).resolve() for folder in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS)
    ]


def drop_folder_conflict(drop: Path) -> Path | None:
    """The served folder the drop folder is inside of (or holds), if any."""
    drop = drop.resolve()
    for served in served_folders():
        if drop == served or served in drop.parents or drop in served.parents:
            return served
    return None


def drop_folder() -> Path | None:
    """The configured drop folder, or None. Raises ImproperlyConfigured when the site would serve it."""
    if not settings.IMPORT_DROP_DIR:
        return None
    drop = Path(settings.IMPORT_DROP_DIR)
    served = drop_folder_conflict(drop)
    if served is not None:
        raise ImproperlyConfigured(f"IMPORT_DROP_DIR must not be inside, or hold, a folder the site serves ({served}).")
    return drop


def kind_of(name: str, data: bytes) -> str | None:
    """caseload or staff, from the file's name or else its header row; None when neither says."""
    lower = name.lower()
    if "caseload" in lower or "children" in lower:
        return ImportRun.Kind.CASELOAD
    if "staff" in lower:
        return ImportRun.Kind.STAFF
    if not data:
        return None
    try:
        header = read_table(data, name=name).header
    except TrackerFileError:
        return None
    if "case_ref" in header:
        return ImportRun.Kind.CASELOAD
    if "username" in header:
        return ImportRun.Kind.STAFF
    return None


def _claim(path: Path, now: datetime.datetime) -> Path | None:
    """Move a waiting file into processing/ under a name of its own (a timestamp keeps every night's file: the
    same name arrives every night). The rename is atomic: of two jobs running at once, one gets the file."""
    target_dir = path.parent / PROCESSING
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"{now:%Y%m%dT%H%M%S}-{path.name}"
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    return target


def _move(path: Path, folder: str) -> Path:
    target_dir = path.parent.parent / folder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    os.replace(path, target)
    return target


def _tell_quality_team(run: ImportRun) -> None:
    recipients = sorted(
        set(User.objects.filter(is_quality=True, is_active=True).exclude(email="").values_list("email", flat=True))
    )
    if not recipients:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("imports:detail", args=[run.pk])
    problems = "\n".join(
        f"- ROW {p['row']}, COLUMN {p['column']}: {p['message']}" if p["row"] else f"- {p['message']}"
        for p in run.problems[:10]
    )
    more = f"\n(and {len(run.problems) - 10} more)" if len(run.problems) > 10 else ""
    send_mail(
        subject=f"Nightly import failed: {run.audits_filename}",
        message=(
            f"The {run.get_kind_display().lower()} file {run.audits_filename} in the drop folder was not imported: "
            f"nothing was changed.\n\n{problems}{more}\n\nThe file is in the drop folder's failed/ folder. "
            f"Details: {link}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def _import_one(waiting: Path, now: datetime.datetime) -> str | None:
    """Import one dropped file and move it aside. Returns processed, skipped or failed (None: another job took it)."""
    path = _claim(waiting, now)
    if path is None:
        return None
    size = path.stat().st_size
    run = ImportRun(
        source=ImportRun.Source.DROP,
        full=True,
        audits_filename=waiting.name[:255],
        status=ImportRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    problems: list[dict] = []
    data = b""
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        problems = [{"message": "the drop folder takes CSV (.csv) or Excel (.xlsx) files"}]
    elif size > MAX_UPLOAD_BYTES:
        problems = [
            {
                "message": f"the file is {size / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
                "Ask for the extract as CSV UTF-8"
            }
        ]
    else:
        data = path.read_bytes()
        run.content_hash = hashlib.sha256(data).hexdigest()
        if ImportRun.objects.filter(
            source=ImportRun.Source.DROP, content_hash=run.content_hash, status=ImportRun.Status.DONE
        ).exists():
            _move(path, PROCESSED)
            return "skipped"
        kind = kind_of(waiting.name, data)
        if kind is None:
            problems = [
                {
                    "message": "cannot tell whether this is the caseload or the staff list: name the file with "
                    "'caseload' or 'staff' in it, or give it a case_ref or username column"
                }
            ]
        else:
            run.kind = kind
    if problems:
        run.problems = [{"file": waiting.name, "row": None, "column": None, **p} for p in problems]
        run.counts = {"problems": len(problems), "warnings": 0}
        run.status = ImportRun.Status.FAILED
    else:
        run.save()
        try:
            result = import_files(
                run.kind,
                data,
                main_name=waiting.name,
                full=True,
                progress=lambda checked: _record_progress(run.pk, rows_done=checked),
            )
        except Exception:
            # Logged by id only: the file holds personal data. The transaction rolled back: nothing was written.
            logger.exception("Drop-folder import run %s stopped unexpectedly", run.pk)
            result = None
            run.problems = [
                {"file": waiting.name, "row": None, "column": None, "message": "the import stopped unexpectedly"}
            ]
        else:
            run.problems = _problem_dicts(result)
            run.warnings = _warning_dicts(result)
            run.rows_total = run.rows_done = result.rows_total
        run.counts = _run_counts(result, run.problems)
        run.status = ImportRun.Status.DONE if result is not None and result.ok else ImportRun.Status.FAILED
    run.finished_at = timezone.now()
    run.save()
    if run.status == ImportRun.Status.DONE:
        _move(path, PROCESSED)
        return "processed"
    _move(path, FAILED)
    _tell_quality_team(run)
    return "failed"


def _order(path: Path) -> tuple[int, str]:
    """Caseload files first (they create the teams the staff list names), then staff lists, then the rest."""
    kind = kind_of(path.name, b"")
    if kind is None and path.suffix.lower() in ALLOWED_SUFFIXES and path.stat().st_size <= MAX_UPLOAD_BYTES:
        kind = kind_of(path.name, path.read_bytes())
    return ({ImportRun.Kind.CASELOAD: 0, ImportRun.Kind.STAFF: 1}.get(kind, 2), path.name)


def import_drop_folder() -> dict[str, int]:
    """Import every file waiting in the drop folder as --full. Safe to run twice: each file is claimed by one job
    (an atomic rename into processing/), and a file already imported (same content) is not imported again."""
    outcome = {"processed": 0, "skipped": 0, "failed": 0}
    folder = drop_folder()
    if folder is None or not folder.is_dir():
        return outcome
    now = timezone.localtime()
    files = sorted((path for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")), key=_order)
    for path in files:
        done = _import_one(path, now)
        if done is not None:
            outcome[done] += 1
    return outcome
