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
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import logging
import operator
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from actions.models import Action, ChildOfConcern
from actions.workdays import add_working_days
from audits.grading import audit_final_grade_of
from audits.models import (
    AreaGrade,
    AreaGradeChoice,
    Audit,
    Child,
    Feedback,
    Grade,
    ImportRun,
    IroViews,
    LegalStatus,
    Policy,
    PracticeArea,
    TemplateVersion,
)
from audits.periods import add_months, month_start
from moderation.models import Moderation
from moderation.services import moderation_outcome
from people.models import ServiceArea, Team, User

logger = logging.getLogger(__name__)

AUDIT_REQUIRED = (
    "audit_ref",
    "month",
    "team",
    "service_area",
    "child_ref",
    "legal_status",
    "auditor",
    "outcome",
    "due_on",
)
AUDIT_OPTIONAL = (
    "submitted_on",
    "auditor_grade",
    "at_risk",
    "moderator",
    "moderator_grade",
    "moderated_on",
    "finalised_on",
    "sw_participated",
    "manager_participated",
    "child_spoken_to",
    "parent_spoken_to",
    "iro_views",
    "child_feedback",
    "parent_feedback",
    "coc_resolved_on",
    "exemption_reason",
)
AREA_PREFIX = "area:"
ACTION_REQUIRED = ("action_ref", "audit_ref", "description", "owner", "due_on")
ACTION_OPTIONAL = ("completed_on",)

OUTCOMES = {
    "returned": Audit.Status.SUBMITTED,
    "exempted": Audit.Status.EXEMPTED,
    "nil_return": Audit.Status.NIL_RETURN,
    "not_ready": Audit.Status.SENT_BACK,
}

# Audit fields set from optional columns; a column missing from the file leaves its field alone.
OPTIONAL_AUDIT_FIELDS = (
    "submitted_on",
    "auditor_grade",
    "at_risk",
    "finalised_on",
    "sw_participated",
    "manager_participated",
    "child_spoken_to",
    "parent_spoken_to",
    "iro_views",
    "child_feedback",
    "parent_feedback",
    "exemption_reason",
)
ALWAYS_AUDIT_FIELDS = (
    "month",
    "team_id",
    "service_area_id",
    "child_id",
    "legal_status",
    "auditor_id",
    "due_on",
    "status",
    "final_grade",
)
AUDIT_LOAD_FIELDS = ("external_ref", "template_id", *ALWAYS_AUDIT_FIELDS, *OPTIONAL_AUDIT_FIELDS)
MODERATION_FIELDS = ("status", "moderator_id", "grade", "outcome", "moderated_on")

# Existing rows are looked up in chunks small enough for SQLite's 999-parameter limit.
LOOKUP_CHUNK = 900
WRITE_BATCH = 2000
PROGRESS_EVERY = 1000

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_USERNAME_RE = re.compile(r"[\w.@+-]+")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
_GRADES = {
    "outstanding": Grade.OUTSTANDING,
    "good": Grade.GOOD,
    "ri": Grade.REQUIRES_IMPROVEMENT,
    "requires improvement": Grade.REQUIRES_IMPROVEMENT,
    "requires_improvement": Grade.REQUIRES_IMPROVEMENT,
    "inadequate": Grade.INADEQUATE,
}
_AREA_GRADES = {**_GRADES, "na": AreaGradeChoice.NOT_APPLICABLE, "n/a": AreaGradeChoice.NOT_APPLICABLE}
_LEGAL_STATUSES = {choice.value: choice.value for choice in LegalStatus}
_FEEDBACK = {choice.value: choice.value for choice in Feedback}


class TrackerFileError(Exception):
    """The whole file cannot be read (empty, not UTF-8, not a workbook): one clear message."""


class _CellError(Exception):
    pass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the files. `row` counts the header as row 1; None for a whole-file problem."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.file}: {self.message}"
        return f"ROW {self.row}, COLUMN {self.column}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    """A sheet as text: the normalised header and the non-blank rows as (row number, cells)."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


COUNT_LABELS = (
    ("audits", "audit", "audits"),
    ("actions", "action", "actions"),
    ("teams", "team", "teams"),
    ("service_areas", "service area", "service areas"),
    ("users", "user", "users"),
    ("children", "child", "children"),
    ("moderations", "moderation", "moderations"),
    ("children_of_concern", "child of concern", "children of concern"),
    ("area_grades", "practice-area grade", "practice-area grades"),
)


def _empty_counts() -> dict[str, dict[str, int]]:
    return {key: {"created": 0, "updated": 0, "removed": 0} for key, _, _ in COUNT_LABELS}


def _count_phrase(counts: dict[str, dict[str, int]], kind: str, keys: Iterable[str] | None = None) -> str:
    wanted = set(keys) if keys is not None else None
    parts = []
    for key, singular, plural in COUNT_LABELS:
        if wanted is not None and key not in wanted:
            continue
        n = counts[key][kind]
        parts.append(f"{n} {singular if n == 1 else plural}")
    return ", ".join(parts)


@dataclass
class ImportResult:
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=_empty_counts)
    rows: dict[str, int] = field(default_factory=lambda: {"audits": 0, "actions": 0})
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def rows_total(self) -> int:
        return self.rows["audits"] + self.rows["actions"]

    def summary_lines(self) -> list[str]:
        """What was (or, in a dry run, would be) created and updated, one line each."""
        rows = f"{self.rows['audits']} audit rows and {self.rows['actions']} action rows"
        if self.dry_run:
            lines = [f"Dry run: checked {rows}; nothing was written."]
            created, updated, removed = "Would create", "Would update", "Would remove"
        else:
            lines = [f"Imported {rows}."]
            created, updated, removed = "Created", "Updated", "Removed"
        lines.append(f"{created}: {_count_phrase(self.counts, 'created')}.")
        updatable = ("audits", "actions", "moderations", "children_of_concern", "area_grades")
        lines.append(f"{updated}: {_count_phrase(self.counts, 'updated', updatable)}.")
        if any(self.counts[key]["removed"] for key in ("moderations", "area_grades")):
            lines.append(f"{removed}: {_count_phrase(self.counts, 'removed', ('moderations', 'area_grades'))}.")
        if self.ignored_columns:
            lines.append("Ignored columns (not in the tracker format): " + ", ".join(self.ignored_columns) + ".")
        return lines


# Reading files ---------------------------------------------------------------------------------


def _show(text: str) -> str:
    """A cell value quoted for a message, cut short so a 100,000-character cell does not flood it."""
    return '"' + (text if len(text) <= 40 else text[:40] + "…") + '"'


def _cell_text(value: Any) -> str:
    """A spreadsheet or Python value as the trimmed text the tracker format describes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


def _month_text(value: Any) -> str:
    # A spreadsheet turns "2026-10" into the date 1 Oct 2026; read it back as the month it was.
    if isinstance(value, datetime.date) and value.day == 1:
        return value.strftime("%Y-%m")
    return _cell_text(value)


def _read_bytes(source: str | Path | bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _normalise_header(cells: list[str]) -> list[str]:
    return [cell.strip().lower() for cell in cells]


def _table_from_rows(name: str, raw_rows: Iterable[tuple[int, list[str]]]) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in raw_rows:
        if header is None:
            if not any(cells):
                continue
            if number != 1:
                raise TrackerFileError(f"row 1 is blank; the header row must be the first row (found on row {number})")
            header = _normalise_header(cells)
            continue
        if any(cells):
            rows.append((number, cells))
    if header is None:
        raise TrackerFileError("the file is empty")
    return Table(name=name, header=header, rows=rows)


def _read_csv(data: bytes, name: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TrackerFileError(
            f"the file is not UTF-8 text (line {line} holds a byte UTF-8 does not allow); "
            "in Excel use Save As and choose 'CSV UTF-8'"
        ) from None
    if not text.strip():
        raise TrackerFileError("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""))

    def numbered() -> Iterable[tuple[int, list[str]]]:
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):  # noqa: B007
                yield number, [cell.strip() for cell in cells]
        except csv.Error as exc:
            raise TrackerFileError(f"row {number + 1} cannot be read as CSV ({exc})") from None

    return _table_from_rows(name, numbered())


def _read_xlsx(data: bytes, name: str) -> Table:
    from openpyxl import load_workbook

    try:
        # data_only: read what the spreadsheet shows (a formula's last value), never the formula.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise TrackerFileError("the file is not a readable XLSX workbook; save it as .xlsx or CSV UTF-8") from None
    try:
        if not workbook.worksheets:
            raise TrackerFileError("the workbook has no sheets")
        sheet = workbook.worksheets[0]
        month_index = -1

        def numbered() -> Iterable[tuple[int, list[str]]]:
            nonlocal month_index
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if month_index < 0 and any(v is not None for v in values):
                    header = _normalise_header([_cell_text(v) for v in values])
                    month_index = header.index("month") if "month" in header else len(header)
                    yield number, [_cell_text(v) for v in values]
                    continue
                yield number, [_month_text(v) if i == month_index else _cell_text(v) for i, v in enumerate(values)]

        return _table_from_rows(name, numbered())
    finally:
        workbook.close()


def read_table(source: str | Path | bytes | IO[bytes], *, name: str) -> Table:
    """Read a CSV (UTF-8, comma separated) or XLSX (first sheet) file. Raises TrackerFileError."""
    data = _read_bytes(source)
    if not data:
        raise TrackerFileError("the file is empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise TrackerFileError(
            "this looks like an old Excel .xls file or a password-protected workbook; "
            "save it as .xlsx (without a password) or as CSV UTF-8"
        )
    return _read_csv(data, name)


def table_from_dicts(rows: Iterable[Mapping[str, Any]], *, name: str) -> Table:
    """Already-parsed rows (dicts keyed by column name) as a table; dates and booleans are welcome."""
    rows = list(rows)
    header: list[str] = []
    for row in rows:
        for key in row:
            if key.strip().lower() not in header:
                header.append(key.strip().lower())
    table_rows = []
    for number, row in enumerate(rows, start=2):
        values = {key.strip().lower(): value for key, value in row.items()}
        table_rows.append(
            (
                number,
                [_month_text(values.get(col)) if col == "month" else _cell_text(values.get(col)) for col in header],
            )
        )
    return Table(name=name, header=header, rows=table_rows)


# Writing in bulk ----------------------------------------------------------------------------------


class _BulkInsert:
    """Insert many rows of one model in few statements, for the tables a big tracker fills.

    `bulk_create` prepares every value of every object through the field's `get_db_prep_save`,
    which for 100,000 audits and their 900,000 practice-area grades costs over a minute by itself.
    Here each row is a plain tuple for the columns the importer sets; every other column takes the
    value a new model instance would get (its default, `auto_now_add` stamped once), prepared once.
    Values go to the database as parameters, never into the SQL text, and the SQL is built from the
    model's own metadata, so a field another app adds later with a default is filled in too.
    """

    def __init__(self, model: type, columns: tuple[str, ...]) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        by_attname = {f.attname: f for f in fields}
        self.columns = columns
        rest = [f for f in fields if f.attname not in columns]
        prototype = model()
        rest_raw = [f.pre_save(prototype, add=True) for f in rest]
        self.rest_values = tuple(f.get_db_prep_save(value, connection) for f, value in zip(rest, rest_raw, strict=True))
        # Text, numbers, booleans, ids and dates go to the driver as they are (Django registers the
        # date adapter for SQLite; psycopg2 adapts dates itself); anything else, such as an aware
        # datetime, is prepared by its field.
        simple = {"CharField", "TextField", "SlugField", "BooleanField", "ForeignKey", "DateField"}
        self.adapted: list[tuple[int, Callable[[Any], Any]]] = []
        for position, name in enumerate(columns):
            f = by_attname[name]
            internal = f.get_internal_type()
            if internal not in simple and not internal.endswith("IntegerField"):
                self.adapted.append((position, lambda value, f=f: f.get_db_prep_save(value, connection)))
        names = [by_attname[name].column for name in columns] + [f.column for f in rest]
        self.width = len(names)
        quote = connection.ops.quote_name
        # Table and column names come from the model's metadata, never from the file.
        self.head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) VALUES "  # noqa: S608
        self.one = "(" + ", ".join(["%s"] * self.width) + ")"
        # PostgreSQL loads rows several times faster through COPY than through INSERT statements.
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        self.rest_copy = "".join(
            "\t" + _copy_text(json.dumps(value) if f.get_internal_type() == "JSONField" else value)
            for f, value in zip(rest, rest_raw, strict=True)
        )

    def _adapt(self, row: tuple) -> tuple:
        if not self.adapted:
            return row + self.rest_values
        values = list(row)
        for position, adapt in self.adapted:
            values[position] = adapt(values[position])
        return tuple(values) + self.rest_values

    def insert(self, rows: Iterable[tuple]) -> int:
        count = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
                return self._copy(cursor, rows)
            for row in rows:
                batch.append(self._adapt(row))
                if len(batch) >= WRITE_BATCH:
                    count += self._flush(cursor, batch)
            count += self._flush(cursor, batch)
        return count

    def _copy(self, cursor, rows: Iterable[tuple]) -> int:
        count = 0
        buffer = io.StringIO()
        for row in rows:
            # COPY reads text: dates and aware datetimes in ISO form (with their offset), as _copy_text writes them.
            buffer.write("\t".join(map(_copy_text, row)))
            buffer.write(self.rest_copy)
            buffer.write("\n")
            count += 1
            if count % (10 * WRITE_BATCH) == 0:
                buffer.seek(0)
                cursor.copy_expert(self.copy_sql, buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        if buffer.getvalue():
            cursor.copy_expert(self.copy_sql, buffer)
        return count

    def _flush(self, cursor, batch: list[tuple]) -> int:
        if not batch:
            return 0
        n = len(batch)
        if connection.vendor == "sqlite":
            # SQLite runs executemany in C, one prepared statement for the whole batch.
            cursor.executemany(self.head + self.one, batch)
        else:
            # Other servers take a multi-row VALUES list: one round trip per slice.
            per_statement = max(1, min(1000, 60000 // self.width))
            for start in range(0, n, per_statement):
                part = batch[start : start + per_statement]
                cursor.execute(self.head + ", ".join([self.one] * len(part)), [v for row in part for v in row])
        batch.clear()
        return n


@contextlib.contextmanager
def _large_page_cache() -> Iterator[None]:
    """Give SQLite a 256 MB page cache while a tracker is written, then its usual one back.

    With the default 2 MB, inserting 100,000 audits and their grades into well-indexed tables spills
    pages to disk over and over: measured, the same 50,000-row import took 51 s of wall-clock time
    with the default cache and 20 s with this one, for the same CPU time.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format: \\N for NULL, backslash escapes for the separators."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# Checking rows -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _AuditRow:
    number: int
    ref: str
    month: datetime.date
    team: str
    service_area: str
    child_ref: str
    legal_status: str
    auditor: str
    due_on: datetime.date
    status: str
    values: dict[str, Any]
    moderator: str = ""
    moderator_grade: str = ""
    moderated_on: datetime.date | None = None
    coc_resolved_on: datetime.date | None = None
    areas: dict[str, str] = field(default_factory=dict)
    audit: Audit | None = None
    before: dict[str, Any] | None = None
    moderation: Moderation | None = None


@dataclass(slots=True)
class _ActionRow:
    number: int
    ref: str
    audit_ref: str
    description: str
    owner: str
    due_on: datetime.date
    completed_on: datetime.date | None
    has_completed_column: bool


def _chunks(items: list, size: int | None = None) -> Iterable[list]:
    # SQLite allows 999 parameters a query; other servers take far more, in fewer round trips.
    size = size or (LOOKUP_CHUNK if connection.features.max_query_params else 10 * LOOKUP_CHUNK)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _grade(text: str) -> str:
    grade = _GRADES.get(" ".join(text.lower().split()))
    if grade is None:
        raise _CellError(f"{_show(text)} is not a grade (use OUTSTANDING, GOOD, RI or INADEQUATE)")
    return grade


def _area_grade(text: str) -> str:
    grade = _AREA_GRADES.get(" ".join(text.lower().split()))
    if grade is None:
        raise _CellError(f"{_show(text)} is not a grade (use OUTSTANDING, GOOD, RI, INADEQUATE or NA)")
    return grade


def _yes_no(text: str) -> bool:
    low = text.lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    raise _CellError(f"{_show(text)} is not yes or no (use yes/no, y/n, true/false or 1/0)")


def _iro_views(text: str) -> str:
    low = text.lower()
    if low in ("na", "n/a"):
        return IroViews.NOT_APPLICABLE
    if low in _YES:
        return IroViews.YES
    if low in _NO:
        return IroViews.NO
    raise _CellError(f"{_show(text)} is not yes, no or na")


def _feedback(text: str) -> str:
    value = _FEEDBACK.get(text.lower())
    if value is None:
        raise _CellError(f"{_show(text)} is not positive, mixed or negative")
    return value


def _legal_status(text: str) -> str:
    value = _LEGAL_STATUSES.get(text.upper().replace(" ", "_").replace("-", "_"))
    if value is None:
        raise _CellError(f"{_show(text)} is not a legal status (use {', '.join(_LEGAL_STATUSES)})")
    return value


def _outcome(text: str) -> str:
    value = OUTCOMES.get(text.lower().replace(" ", "_").replace("-", "_"))
    if value is None:
        raise _CellError(f"{_show(text)} is not an outcome (use returned, exempted, nil_return or not_ready)")
    return value


def _limited(max_length: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        if len(text) > max_length:
            raise _CellError(f"is {len(text)} characters long; at most {max_length} fit")
        return text

    return check


def _username(text: str) -> str:
    if len(text) > 150:
        raise _CellError(f"is {len(text)} characters long; a username has at most 150")
    if not _USERNAME_RE.fullmatch(text):
        raise _CellError(f"{_show(text)} is not a username (letters, digits and @ . + - _ only)")
    return text


class _Importer:
    def __init__(
        self,
        audits: Table | None,
        actions: Table | None,
        *,
        dry_run: bool,
        progress: Callable[[int], None] | None,
        result: ImportResult,
    ) -> None:
        self.audits_table = audits
        self.actions_table = actions
        self.dry_run = dry_run
        self.progress = progress
        self.result = result
        self.today = timezone.localdate()
        self.now = timezone.now()
        self._dates: dict[str, datetime.date] = {}
        self.audit_rows: list[_AuditRow] = []
        self.action_rows: list[_ActionRow] = []
        self.area_columns: list[str] = []
        self.present: set[str] = set()
        self.action_present: set[str] = set()
        self.checked = 0

    # Problems and progress.

    def problem(self, file: str, row: int | None, column: str | None, message: str) -> None:
        # A NUL copied from a cell into a message could not be stored (PostgreSQL's JSON refuses it): show it.
        if column is not None:
            column = column[:60].replace("\x00", "\\x00")
        message = message.replace("\x00", "\\x00")
        self.result.problems.append(Problem(file=file, row=row, column=column, message=message))

    def tick(self) -> None:
        self.checked += 1
        if self.progress is not None and self.checked % PROGRESS_EVERY == 0:
            self.progress(self.checked)

    # Cell parsers that need state.

    def _date(self, text: str) -> datetime.date:
        cached = self._dates.get(text)
        if cached is not None:
            return cached
        if not _DATE_RE.fullmatch(text):
            raise _CellError(f"{_show(text)} is not a date (use YYYY-MM-DD)")
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            raise _CellError(f"{_show(text)} is not a real date") from None
        self._dates[text] = value
        return value

    def _past_date(self, text: str) -> datetime.date:
        value = self._date(text)
        if value > self.today:
            raise _CellError(f"{value.isoformat()} is in the future")
        return value

    def _month(self, text: str) -> datetime.date:
        cached = self._dates.get("m" + text)
        if cached is not None:
            return cached
        match = _MONTH_RE.fullmatch(text)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
            raise _CellError(f"{_show(text)} is not a month (use YYYY-MM)")
        value = datetime.date(int(match.group(1)), int(match.group(2)), 1)
        self._dates["m" + text] = value
        return value

    # Header.

    def check_header(self, table: Table, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, int]:
        known = set(required) | set(optional)
        index: dict[str, int] = {}
        for position, name in enumerate(table.header):
            if not name:
                continue
            if name in index:
                self.problem(
                    table.name, 1, name, f"the column appears twice (columns {index[name] + 1} and {position + 1})"
                )
                continue
            index[name] = position
        if len(table.header) == 1 and ";" in table.header[0]:
            self.problem(
                table.name, 1, table.header[0][:40], "the file looks semicolon-separated; save it comma-separated"
            )
            return index
        for name in required:
            if name not in index:
                self.problem(table.name, 1, name, "this required column is missing")
        for name in index:
            if name not in known and not (optional is AUDIT_OPTIONAL and name.startswith(AREA_PREFIX)):
                self.result.ignored_columns.append(f"{table.name}: {name}")
        return index

    # AUDITS rows.

    def parse_audits(self, table: Table, current_slugs: set[str]) -> None:
        index = self.check_header(table, AUDIT_REQUIRED, AUDIT_OPTIONAL)
        for name in index:
            if name.startswith(AREA_PREFIX):
                slug = name[len(AREA_PREFIX) :]
                if slug not in current_slugs:
                    self.problem(
                        table.name,
                        1,
                        name,
                        f'the current practice-area template has no area "{slug[:60]}" '
                        f"(its areas are: {', '.join(sorted(current_slugs))})",
                    )
                else:
                    self.area_columns.append(name)
        self.present = set(index)
        self.result.rows["audits"] = len(table.rows)
        if self.result.problems:
            return
        if not table.rows:
            self.problem(table.name, None, None, "the file has a header row but no rows of audits below it")
            return

        parsers: dict[str, Callable[[str], Any]] = {
            "audit_ref": _limited(Audit._meta.get_field("external_ref").max_length),
            "month": self._month,
            "team": _limited(Team._meta.get_field("name").max_length),
            "service_area": _limited(ServiceArea._meta.get_field("name").max_length),
            "child_ref": _limited(Child._meta.get_field("case_ref").max_length),
            "legal_status": _legal_status,
            "auditor": _username,
            "outcome": _outcome,
            "due_on": self._date,
            "submitted_on": self._past_date,
            "auditor_grade": _grade,
            "at_risk": _yes_no,
            "moderator": _username,
            "moderator_grade": _grade,
            "moderated_on": self._past_date,
            "finalised_on": self._past_date,
            "sw_participated": _yes_no,
            "manager_participated": _yes_no,
            "child_spoken_to": _yes_no,
            "parent_spoken_to": _yes_no,
            "iro_views": _iro_views,
            "child_feedback": _feedback,
            "parent_feedback": _feedback,
            "coc_resolved_on": self._past_date,
            "exemption_reason": str,
        }
        columns = [(name, index[name], parsers[name]) for name in (*AUDIT_REQUIRED, *AUDIT_OPTIONAL) if name in index]
        areas = [(name, index[name]) for name in self.area_columns]
        width = len(table.header)
        first_seen: dict[str, int] = {}
        ref_position = index["audit_ref"]
        for number, cells in table.rows:
            self.tick()
            # Duplicates are found on the raw reference, so a duplicate row with other mistakes is still named.
            ref = cells[ref_position] if ref_position < len(cells) else ""
            duplicate_of = first_seen.get(ref) if ref else None
            if ref and duplicate_of is None:
                first_seen[ref] = number
            row = self.parse_audit_row(table.name, number, cells, columns, areas, width)
            if duplicate_of is not None:
                self.problem(
                    table.name,
                    number,
                    "audit_ref",
                    f"{_show(ref)} is already used by row {duplicate_of}; each audit_ref must be unique",
                )
                continue
            if row is not None:
                self.audit_rows.append(row)

    def parse_audit_row(self, file, number, cells, columns, areas, width) -> _AuditRow | None:
        values: dict[str, Any] = {}
        bad_columns: set[str] = set()
        for name, position, parse in columns:
            text = cells[position] if position < len(cells) else ""
            if not text:
                if name in AUDIT_REQUIRED:
                    self.problem(file, number, name, "is required but blank")
                    bad_columns.add(name)
                values[name] = None
                continue
            if "\x00" in text:
                self.problem(file, number, name, "contains a NUL character, which cannot be stored")
                bad_columns.add(name)
                continue
            try:
                values[name] = parse(text)
            except _CellError as exc:
                self.problem(file, number, name, str(exc))
                bad_columns.add(name)
        area_values: dict[str, str] = {}
        for name, position in areas:
            text = cells[position] if position < len(cells) else ""
            if not text:
                area_values[name[len(AREA_PREFIX) :]] = ""
                continue
            try:
                area_values[name[len(AREA_PREFIX) :]] = _area_grade(text)
            except _CellError as exc:
                self.problem(file, number, name, str(exc))
                bad_columns.add(name)
        for position in range(width, len(cells)):
            if cells[position]:
                self.problem(file, number, str(position + 1), "holds a value but the header names no column here")
                bad_columns.add(str(position + 1))
        # The rules between cells still run on a row with bad cells, so that every problem is listed at
        # once; they need the outcome, and stay silent about cells already reported as bad.
        rules_ok = values.get("outcome") is not None and self.check_row_rules(file, number, values, skip=bad_columns)
        if bad_columns or not rules_ok:
            return None
        audit_values = {name: values[name] for name in OPTIONAL_AUDIT_FIELDS if name in values}
        if "at_risk" in audit_values:
            audit_values["at_risk"] = bool(audit_values["at_risk"])
        for text_field in ("auditor_grade", "iro_views", "child_feedback", "parent_feedback", "exemption_reason"):
            if text_field in audit_values and audit_values[text_field] is None:
                audit_values[text_field] = ""
        return _AuditRow(
            number=number,
            ref=values["audit_ref"],
            month=values["month"],
            team=values["team"],
            service_area=values["service_area"],
            child_ref=values["child_ref"],
            legal_status=values["legal_status"],
            auditor=values["auditor"],
            due_on=values["due_on"],
            status=values["outcome"],
            values=audit_values,
            moderator=values.get("moderator") or "",
            moderator_grade=values.get("moderator_grade") or "",
            moderated_on=values.get("moderated_on"),
            coc_resolved_on=values.get("coc_resolved_on"),
            areas=area_values,
        )

    def check_row_rules(self, file: str, number: int, v: dict[str, Any], skip: set[str] = frozenset()) -> bool:
        """Rules between the cells of one row. Returns False when the row breaks any.

        Columns in `skip` already had a problem reported; a bad cell reads as absent here, and no second
        problem is reported for it.
        """
        broken = False

        def problem(column: str, message: str) -> None:
            nonlocal broken
            broken = True
            if column not in skip:
                self.problem(file, number, column, message)

        status = v["outcome"]
        if status == Audit.Status.SUBMITTED:
            if v.get("submitted_on") is None:
                problem("submitted_on", "is required when the outcome is returned")
            if not v.get("auditor_grade"):
                problem("auditor_grade", "is required when the outcome is returned")
        elif status in (Audit.Status.EXEMPTED, Audit.Status.NIL_RETURN):
            outcome = "exempted" if status == Audit.Status.EXEMPTED else "nil_return"
            for name in ("submitted_on", "auditor_grade"):
                if v.get(name):
                    problem(name, f"must be blank: an audit with outcome {outcome} was not submitted")
        if v.get("moderator"):
            if status != Audit.Status.SUBMITTED:
                problem("moderator", "only returned audits are moderated; leave it blank")
            if not v.get("moderator_grade"):
                problem("moderator_grade", "is required when a moderator is named")
            if v.get("moderated_on") is None:
                problem("moderated_on", "is required when a moderator is named")
        else:
            for name in ("moderator_grade", "moderated_on"):
                if v.get(name):
                    problem(name, "is given but no moderator is named")
        submitted, moderated, finalised = v.get("submitted_on"), v.get("moderated_on"), v.get("finalised_on")
        if submitted and moderated and moderated < submitted:
            problem("moderated_on", "is before submitted_on")
        if finalised and moderated and finalised < moderated:
            problem("finalised_on", "is before moderated_on")
        elif finalised and submitted and finalised < submitted:
            problem("finalised_on", "is before submitted_on")
        return not broken

    # ACTIONS rows.

    def parse_actions(self, table: Table) -> None:
        index = self.check_header(table, ACTION_REQUIRED, ACTION_OPTIONAL)
        self.action_present = set(index)
        self.result.rows["actions"] = len(table.rows)
        if any(p.file == table.name for p in self.result.problems):
            return
        parsers: dict[str, Callable[[str], Any]] = {
            "action_ref": _limited(Action._meta.get_field("external_ref").max_length),
            "audit_ref": _limited(Audit._meta.get_field("external_ref").max_length),
            "description": str,
            "owner": _username,
            "due_on": self._date,
            "completed_on": self._past_date,
        }
        columns = [(name, index[name]) for name in (*ACTION_REQUIRED, *ACTION_OPTIONAL) if name in index]
        width = len(table.header)
        first_seen: dict[str, int] = {}
        for number, cells in table.rows:
            self.tick()
            values: dict[str, Any] = {}
            bad = False
            for name, position in columns:
                text = cells[position] if position < len(cells) else ""
                if not text:
                    if name in ACTION_REQUIRED:
                        self.problem(table.name, number, name, "is required but blank")
                        bad = True
                    values[name] = None
                    continue
                if "\x00" in text:
                    self.problem(table.name, number, name, "contains a NUL character, which cannot be stored")
                    bad = True
                    continue
                try:
                    values[name] = parsers[name](text)
                except _CellError as exc:
                    self.problem(table.name, number, name, str(exc))
                    bad = True
            for position in range(width, len(cells)):
                if cells[position]:
                    self.problem(
                        table.name, number, str(position + 1), "holds a value but the header names no column here"
                    )
                    bad = True
            if bad:
                continue
            if values["action_ref"] in first_seen:
                self.problem(
                    table.name,
                    number,
                    "action_ref",
                    f"{_show(values['action_ref'])} is already used by row {first_seen[values['action_ref']]}; "
                    "each action_ref must be unique",
                )
                continue
            first_seen[values["action_ref"]] = number
            self.action_rows.append(
                _ActionRow(
                    number=number,
                    ref=values["action_ref"],
                    audit_ref=values["audit_ref"],
                    description=values["description"],
                    owner=values["owner"],
                    due_on=values["due_on"],
                    completed_on=values.get("completed_on"),
                    has_completed_column="completed_on" in index,
                )
            )

    # Checks against the database, and the plan of what to write.

    def load(self) -> None:
        """Everything that already exists and the rows touch, in a few queries per table."""
        refs = [row.ref for row in self.audit_rows]
        self.existing_audits: dict[str, Audit] = {}
        for chunk in _chunks(refs):
            for audit in Audit.objects.filter(external_ref__in=chunk).only(*AUDIT_LOAD_FIELDS):
                self.existing_audits[audit.external_ref] = audit
        audit_ids = [audit.pk for audit in self.existing_audits.values()]
        self.existing_moderations: dict[int, Moderation] = {}
        self.moderation_before: dict[int, dict[str, Any]] = {}
        self.existing_concerns: dict[int, ChildOfConcern] = {}
        self.existing_area_grades: dict[tuple[int, int], tuple[int, str]] = {}
        for chunk in _chunks(audit_ids):
            for moderation in Moderation.objects.filter(audit_id__in=chunk):
                self.existing_moderations[moderation.audit_id] = moderation
                self.moderation_before[moderation.audit_id] = {
                    name: getattr(moderation, name) for name in MODERATION_FIELDS
                }
            for concern in ChildOfConcern.objects.filter(audit_id__in=chunk):
                self.existing_concerns[concern.audit_id] = concern
            if self.area_columns:
                for pk, audit_id, area_id, grade in AreaGrade.objects.filter(audit_id__in=chunk).values_list(
                    "pk", "audit_id", "area_id", "grade"
                ):
                    self.existing_area_grades[(audit_id, area_id)] = (pk, grade)
        template_ids = {audit.template_id for audit in self.existing_audits.values()} | {self.template.pk}
        self.template_numbers = dict(TemplateVersion.objects.filter(pk__in=template_ids).values_list("pk", "number"))
        self.area_ids: dict[tuple[int, str], int] = {
            (template_id, slug): pk
            for pk, template_id, slug in PracticeArea.objects.filter(template_id__in=template_ids).values_list(
                "pk", "template_id", "slug"
            )
        }

        self.service_area_ids = {name.lower(): pk for pk, name in ServiceArea.objects.values_list("pk", "name")}
        self.team_ids = {name.lower(): pk for pk, name in Team.objects.order_by("-pk").values_list("pk", "name")}
        usernames = sorted(
            {row.auditor for row in self.audit_rows}
            | {row.moderator for row in self.audit_rows if row.moderator}
            | {row.owner for row in self.action_rows}
        )
        self.user_ids: dict[str, int] = {}
        for chunk in _chunks(usernames):
            self.user_ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        case_refs = sorted({row.child_ref for row in self.audit_rows})
        self.child_ids: dict[str, int] = {}
        for chunk in _chunks(case_refs):
            self.child_ids.update(Child.objects.filter(case_ref__in=chunk).values_list("case_ref", "pk"))

        action_refs = [row.ref for row in self.action_rows]
        self.existing_actions: dict[str, Action] = {}
        for chunk in _chunks(action_refs):
            for action in Action.objects.filter(external_ref__in=chunk):
                self.existing_actions[action.external_ref] = action
        file_refs = set(refs)
        other_refs = sorted({row.audit_ref for row in self.action_rows} - file_refs)
        self.other_audit_ids: dict[str, int] = {}
        for chunk in _chunks(other_refs):
            self.other_audit_ids.update(Audit.objects.filter(external_ref__in=chunk).values_list("external_ref", "pk"))
        self.policy = Policy.current()

    def prepare_audits(self) -> None:
        """Build (unsaved) audits and moderations, decide final grades, and check what needs the database."""
        file = self.audits_table.name
        moderator_column = "moderator" in self.present
        # A new Audit's default values, taken once: building 100,000 audits positionally from them
        # skips each field's default lookup. (The one mutable default, pending_actions' empty list,
        # is shared but never changed: the importer does not write that field from instances.)
        new_audit_values = [getattr(Audit(), f.attname) for f in Audit._meta.concrete_fields]
        for row in self.audit_rows:
            existing = self.existing_audits.get(row.ref)
            if existing is None:
                audit = Audit(*new_audit_values)
                audit.external_ref = row.ref
                audit.template_id = self.template.pk
                row.before = None
            else:
                audit = existing
                row.before = {name: getattr(audit, name) for name in (*ALWAYS_AUDIT_FIELDS, *OPTIONAL_AUDIT_FIELDS)}
            audit.month = row.month
            audit.legal_status = row.legal_status
            audit.due_on = row.due_on
            audit.status = row.status
            for name, value in row.values.items():
                setattr(audit, name, value)
            row.audit = audit

            for slug, grade in row.areas.items():
                if grade and (audit.template_id, slug) not in self.area_ids:
                    self.problem(
                        file,
                        row.number,
                        AREA_PREFIX + slug,
                        f"this audit was imported with template v{self.template_numbers[audit.template_id]}, "
                        f'which has no area "{slug}"; leave the cell blank',
                    )

            moderation = self.existing_moderations.get(audit.pk) if audit.pk else None
            if moderator_column:
                if row.moderator:
                    if moderation is None:
                        moderation = Moderation(sample_reason=Moderation.SampleReason.IMPORTED)
                    moderation.status = Moderation.Status.COMPLETED
                    moderation.grade = row.moderator_grade
                    moderation.moderated_on = row.moderated_on
                    moderation.outcome = moderation_outcome(
                        auditor_grade=audit.auditor_grade, moderator_grade=row.moderator_grade
                    )
                elif moderation is not None and moderation.sample_reason == Moderation.SampleReason.IMPORTED:
                    moderation = None
            row.moderation = moderation
            # The product's own rule reads `audit.moderation`; give it this row's moderation (or none)
            # from memory so that deciding 100,000 final grades costs no query.
            Audit.moderation.related.set_cached_value(audit, moderation)
            audit.final_grade = audit_final_grade_of(audit)

            concern = self.existing_concerns.get(audit.pk) if audit.pk else None
            if row.coc_resolved_on is not None:
                if audit.final_grade != Grade.INADEQUATE:
                    self.problem(
                        file,
                        row.number,
                        "coc_resolved_on",
                        "is given but the final grade is not Inadequate, so there is no Child of Concern",
                    )
                else:
                    raised_on = concern.raised_on if concern else _concern_raised_on(audit, moderation)
                    if raised_on and row.coc_resolved_on < raised_on:
                        self.problem(
                            file,
                            row.number,
                            "coc_resolved_on",
                            f"is before the Child of Concern was raised ({raised_on.isoformat()})",
                        )

    def check_actions(self) -> None:
        file_refs = {row.ref for row in self.audit_rows}
        for row in self.action_rows:
            if row.audit_ref not in file_refs and row.audit_ref not in self.other_audit_ids:
                self.problem(
                    self.actions_table.name,
                    row.number,
                    "audit_ref",
                    f"{_show(row.audit_ref)} is neither in the audits file nor already imported",
                )

    # Writing (or, in a dry run, counting what would be written).

    def apply(self) -> None:
        counts = self.result.counts
        write = not self.dry_run
        temp_ids = iter(range(-1, -(10**9), -1))

        # Service areas and teams: the latest row of a new team decides its service area.
        latest_team_rows: dict[str, _AuditRow] = {}
        for row in self.audit_rows:
            key = row.team.lower()
            if key not in self.team_ids:
                seen = latest_team_rows.get(key)
                if seen is None or row.month >= seen.month:
                    latest_team_rows[key] = row
        new_areas: dict[str, str] = {}
        for row in self.audit_rows:
            key = row.service_area.lower()
            if key not in self.service_area_ids and key not in new_areas:
                new_areas[key] = row.service_area
        counts["service_areas"]["created"] = len(new_areas)
        if write:
            for area in ServiceArea.objects.bulk_create([ServiceArea(name=name) for name in new_areas.values()]):
                self.service_area_ids[area.name.lower()] = area.pk
        else:
            self.service_area_ids.update({key: next(temp_ids) for key in new_areas})

        counts["teams"]["created"] = len(latest_team_rows)
        new_teams = [
            Team(name=row.team, service_area_id=self.service_area_ids[row.service_area.lower()])
            for row in latest_team_rows.values()
        ]
        if write:
            for team in Team.objects.bulk_create(new_teams):
                self.team_ids[team.name.lower()] = team.pk
        else:
            self.team_ids.update({team.name.lower(): next(temp_ids) for team in new_teams})

        # Users: created inactive with an unusable password, flagged with the role the tracker shows.
        new_users: dict[str, User] = {}

        def ensure_user(username: str, role_flag: str | None) -> None:
            if username in self.user_ids:
                return
            user = new_users.get(username)
            if user is None:
                user = new_users[username] = User(username=username, is_active=False, password=make_password(None))
            if role_flag:
                setattr(user, role_flag, True)

        for row in self.audit_rows:
            ensure_user(row.auditor, "is_auditor")
            if row.moderator and "moderator" in self.present:
                ensure_user(row.moderator, "is_moderator")
        for row in self.action_rows:
            ensure_user(row.owner, None)
        counts["users"]["created"] = len(new_users)
        if write:
            for user in User.objects.bulk_create(list(new_users.values()), batch_size=WRITE_BATCH):
                self.user_ids[user.username] = user.pk
        else:
            self.user_ids.update({name: next(temp_ids) for name in new_users})

        # Children: a new child takes the team and legal status of its latest row.
        latest_child_rows: dict[str, _AuditRow] = {}
        for row in self.audit_rows:
            if row.child_ref not in self.child_ids:
                seen = latest_child_rows.get(row.child_ref)
                if seen is None or row.month >= seen.month:
                    latest_child_rows[row.child_ref] = row
        counts["children"]["created"] = len(latest_child_rows)
        if write:
            _BulkInsert(Child, ("case_ref", "team_id", "legal_status")).insert(
                (ref, self.team_ids[row.team.lower()], row.legal_status) for ref, row in latest_child_rows.items()
            )
            for chunk in _chunks(list(latest_child_rows)):
                self.child_ids.update(Child.objects.filter(case_ref__in=chunk).values_list("case_ref", "pk"))
        else:
            self.child_ids.update({ref: next(temp_ids) for ref in latest_child_rows})

        # Audits.
        new_audits: list[Audit] = []
        changed_audits: list[Audit] = []
        changed_fields: set[str] = set()
        for row in self.audit_rows:
            audit = row.audit
            audit.team_id = self.team_ids[row.team.lower()]
            audit.service_area_id = self.service_area_ids[row.service_area.lower()]
            audit.child_id = self.child_ids[row.child_ref]
            audit.auditor_id = self.user_ids[row.auditor]
            if row.before is None:
                new_audits.append(audit)
                continue
            changed = {name for name, old in row.before.items() if getattr(audit, name) != old}
            if changed:
                changed_audits.append(audit)
                changed_fields |= changed
        counts["audits"]["created"] = len(new_audits)
        counts["audits"]["updated"] = len(changed_audits)
        if write:
            columns = ("external_ref", "template_id", *ALWAYS_AUDIT_FIELDS, *OPTIONAL_AUDIT_FIELDS)
            values_of = operator.attrgetter(*columns)
            _BulkInsert(Audit, columns).insert(values_of(audit) for audit in new_audits)
            new_ids: dict[str, int] = {}
            for chunk in _chunks([audit.external_ref for audit in new_audits]):
                new_ids.update(Audit.objects.filter(external_ref__in=chunk).values_list("external_ref", "pk"))
            for audit in new_audits:
                audit.pk = new_ids[audit.external_ref]
            if changed_audits:
                Audit.objects.bulk_update(changed_audits, sorted(changed_fields), batch_size=WRITE_BATCH)
        else:
            for audit in new_audits:
                audit.pk = next(temp_ids)

        self.apply_moderations()
        self.apply_area_grades()
        self.apply_concerns()
        self.apply_actions()

    def apply_moderations(self) -> None:
        counts = self.result.counts["moderations"]
        write = not self.dry_run
        new: list[Moderation] = []
        changed: list[Moderation] = []
        removed: list[int] = []
        for row in self.audit_rows:
            audit = row.audit
            old = self.existing_moderations.get(audit.pk) if row.before is not None else None
            moderation = row.moderation
            if old is not None and moderation is None:
                removed.append(old.pk)
                continue
            if moderation is None or "moderator" not in self.present or not row.moderator:
                continue
            moderation.moderator_id = self.user_ids[row.moderator]
            if moderation.pk is None:
                moderation.audit_id = audit.pk
                new.append(moderation)
            elif any(getattr(moderation, name) != value for name, value in self.moderation_before[audit.pk].items()):
                changed.append(moderation)
        counts["created"], counts["updated"], counts["removed"] = len(new), len(changed), len(removed)
        if write:
            columns = ("audit_id", "sample_reason", *MODERATION_FIELDS)
            values_of = operator.attrgetter(*columns)
            _BulkInsert(Moderation, columns).insert(values_of(moderation) for moderation in new)
            Moderation.objects.bulk_update(changed, list(MODERATION_FIELDS), batch_size=WRITE_BATCH)
            for chunk in _chunks(removed):
                Moderation.objects.filter(pk__in=chunk).delete()

    def apply_area_grades(self) -> None:
        counts = self.result.counts["area_grades"]
        if not self.area_columns:
            return
        write = not self.dry_run
        changed: list[AreaGrade] = []
        removed: list[int] = []

        def new_grades() -> Iterable[tuple[int, int, str]]:
            for row in self.audit_rows:
                audit = row.audit
                existing = row.before is not None
                for slug, grade in row.areas.items():
                    area_id = self.area_ids.get((audit.template_id, slug))
                    if area_id is None:
                        continue
                    old = self.existing_area_grades.get((audit.pk, area_id)) if existing else None
                    if old is None:
                        if grade:
                            counts["created"] += 1
                            yield (audit.pk, area_id, grade)
                    elif not grade:
                        removed.append(old[0])
                    elif grade != old[1]:
                        changed.append(AreaGrade(pk=old[0], grade=grade))

        # A generator, so 100,000 rows never hold a million grades in memory at once.
        if write:
            _BulkInsert(AreaGrade, ("audit_id", "area_id", "grade")).insert(new_grades())
            AreaGrade.objects.bulk_update(changed, ["grade"], batch_size=WRITE_BATCH)
            for chunk in _chunks(removed):
                AreaGrade.objects.filter(pk__in=chunk).delete()
        else:
            for _ in new_grades():
                pass
        counts["updated"] = len(changed)
        counts["removed"] = len(removed)

    def apply_concerns(self) -> None:
        counts = self.result.counts["children_of_concern"]
        write = not self.dry_run
        resolved_column = "coc_resolved_on" in self.present
        due_dates: dict[datetime.date, datetime.date] = {}
        new: list[ChildOfConcern] = []
        changed: list[ChildOfConcern] = []
        for row in self.audit_rows:
            audit = row.audit
            concern = self.existing_concerns.get(audit.pk) if row.before is not None else None
            if audit.final_grade == Grade.INADEQUATE:
                if concern is None:
                    raised_on = _concern_raised_on(audit, row.moderation) or self.today
                    if raised_on not in due_dates:
                        due_dates[raised_on] = add_working_days(raised_on, self.policy.coc_response_working_days)
                    concern = ChildOfConcern(
                        audit_id=audit.pk,
                        child_id=audit.child_id,
                        trigger=ChildOfConcern.Trigger.INADEQUATE,
                        raised_on=raised_on,
                        response_due_on=due_dates[raised_on],
                        # Historic: handled outside the product at the time, so nobody is e-mailed now.
                        notified_at=self.now,
                    )
                    if row.coc_resolved_on is not None:
                        concern.status = ChildOfConcern.Status.RESOLVED
                        concern.resolved_on = row.coc_resolved_on
                    new.append(concern)
                    continue
                touched = False
                if concern.grade_lifted_at is not None:
                    concern.grade_lifted_at = None
                    touched = True
                if (
                    resolved_column
                    and row.coc_resolved_on is not None
                    and (concern.status != ChildOfConcern.Status.RESOLVED or concern.resolved_on != row.coc_resolved_on)
                ):
                    concern.status = ChildOfConcern.Status.RESOLVED
                    concern.resolved_on = row.coc_resolved_on
                    touched = True
                if touched:
                    changed.append(concern)
            elif (
                concern is not None
                and concern.grade_lifted_at is None
                and concern.status != ChildOfConcern.Status.RESOLVED
            ):
                # The same reaction as child_of_concern_evaluate: a lifted grade is marked, and the QA team decides.
                concern.grade_lifted_at = self.now
                changed.append(concern)
        counts["created"], counts["updated"] = len(new), len(changed)
        if write:
            columns = (
                "audit_id",
                "child_id",
                "trigger",
                "status",
                "raised_on",
                "response_due_on",
                "notified_at",
                "resolved_on",
            )
            values_of = operator.attrgetter(*columns)
            _BulkInsert(ChildOfConcern, columns).insert(values_of(concern) for concern in new)
            ChildOfConcern.objects.bulk_update(
                changed, ["status", "resolved_on", "grade_lifted_at"], batch_size=WRITE_BATCH
            )

    def apply_actions(self) -> None:
        counts = self.result.counts["actions"]
        write = not self.dry_run
        audit_ids = {row.ref: row.audit.pk for row in self.audit_rows}
        audit_ids.update(self.other_audit_ids)
        new: list[tuple] = []
        changed: list[Action] = []
        fields = ["audit_id", "description", "owner_id", "due_on", "completed_on"]
        for row in self.action_rows:
            action = self.existing_actions.get(row.ref)
            if action is None:
                new.append(
                    (
                        row.ref,
                        audit_ids[row.audit_ref],
                        row.description,
                        self.user_ids[row.owner],
                        row.due_on,
                        row.completed_on,
                    )
                )
                continue
            before = {name: getattr(action, name) for name in fields}
            action.audit_id = audit_ids[row.audit_ref]
            action.description = row.description
            action.owner_id = self.user_ids[row.owner]
            action.due_on = row.due_on
            if row.has_completed_column:
                action.completed_on = row.completed_on
            if any(getattr(action, name) != value for name, value in before.items()):
                changed.append(action)
        counts["created"], counts["updated"] = len(new), len(changed)
        if write:
            _BulkInsert(Action, ("external_ref", *fields)).insert(new)
            Action.objects.bulk_update(changed, fields, batch_size=WRITE_BATCH)

    # The whole run.

    def run(self) -> None:
        self.template = TemplateVersion.objects.filter(is_current=True).first()
        if self.template is None:
            self.problem(
                self.audits_table.name if self.audits_table else "AUDITS",
                None,
                None,
                "there is no current practice-area template; publish one before importing",
            )
            return
        current_slugs = set(self.template.areas.values_list("slug", flat=True))
        if self.audits_table is not None:
            self.parse_audits(self.audits_table, current_slugs)
        if self.actions_table is not None:
            self.parse_actions(self.actions_table)
        if self.result.problems:
            return
        self.load()
        self.prepare_audits()
        if self.actions_table is not None:
            self.check_actions()
        if self.result.problems:
            return
        if self.progress is not None:
            self.progress(self.checked)
        if self.dry_run:
            self.apply()
            return
        with _large_page_cache(), transaction.atomic():
            self.apply()


def _concern_raised_on(audit: Audit, moderation: Moderation | None) -> datetime.date | None:
    """The day the product would have raised it: at submission if the auditor said Inadequate, else at moderation."""
    if audit.auditor_grade == Grade.INADEQUATE or moderation is None or moderation.moderated_on is None:
        return audit.submitted_on
    return moderation.moderated_on


# Public entry points -------------------------------------------------------------------------------


def _run(
    audits: Table | None,
    actions: Table | None,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    result: ImportResult,
) -> ImportResult:
    _Importer(audits, actions, dry_run=dry_run, progress=progress, result=result).run()
    tables = [table for table in (audits, actions) if table is not None]
    file_order = {table.name: i for i, table in enumerate(tables)}
    positions = {(table.name, name): i for table in tables for i, name in enumerate(table.header)}

    def reading_order(problem: Problem) -> tuple[int, int, int]:
        column = positions.get((problem.file, problem.column), 10**6)
        return (file_order.get(problem.file, len(tables)), problem.row or 0, column)

    result.problems.sort(key=reading_order)
    return result


def import_tracker_files(
    audits: str | Path | bytes | IO[bytes],
    actions: str | Path | bytes | IO[bytes] | None = None,
    *,
    audits_name: str = "AUDITS.csv",
    actions_name: str = "ACTIONS.csv",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check and import tracker files (CSV or XLSX). Nothing is written unless every row is right."""
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
    return _run(tables[0], tables[1], dry_run=dry_run, progress=progress, result=result)


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


# An example tracker ---------------------------------------------------------------------------------


def tracker_header(area_slugs: Iterable[str] = ()) -> list[str]:
    return [*AUDIT_REQUIRED, *AUDIT_OPTIONAL, *(AREA_PREFIX + slug for slug in area_slugs)]


def example_tracker(
    count: int,
    *,
    seed: int = 1,
    end_month: datetime.date | None = None,
    area_slugs: Iterable[str] = (),
    teams: int = 40,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A realistic tracker of `count` allocations ending in `end_month` (default: last month), with actions.

    Rows are text exactly as a council's CSV holds them. The same seed gives the same rows, so the
    upload page's example download, the round-trip test and `bench/bench_import.py` share one generator.
    """
    import random

    rnd = random.Random(seed)
    today = timezone.localdate()
    if end_month is None:
        end_month = add_months(month_start(today), -1)
    area_slugs = list(area_slugs)
    service_areas = ["Children's Social Care", "Early Help", "Youth Support"]
    team_names = [f"Team {i:02d}" for i in range(1, teams + 1)]
    team_area = {name: service_areas[i % 3] for i, name in enumerate(team_names)}
    auditors = [f"auditor{i:03d}" for i in range(1, max(2, teams * 5) + 1)]
    moderators = [f"moderator{i:02d}" for i in range(1, max(2, teams // 2) + 1)]
    owners = [f"manager{i:02d}" for i in range(1, teams + 1)]
    per_month = max(1, min(count, teams * 20))
    months = max(1, -(-count // per_month))
    statuses = list(LegalStatus.values)
    grades = ["OUTSTANDING", "GOOD", "RI", "INADEQUATE"]
    grade_weights = [10, 35, 40, 15]
    yes_no = ["yes", "no", ""]
    feedback = ["positive", "mixed", "negative", ""]
    audits: list[dict[str, str]] = []
    actions: list[dict[str, str]] = []

    def cap(day: datetime.date) -> datetime.date:
        return min(day, today)

    for i in range(count):
        month_index = months - 1 - i // per_month
        month = add_months(end_month, -month_index)
        due = month.replace(day=25)
        team = rnd.choice(team_names)
        outcome = rnd.choices(["returned", "exempted", "nil_return", "not_ready"], weights=[80, 5, 8, 7])[0]
        row = dict.fromkeys(tracker_header(area_slugs), "")
        row.update(
            audit_ref=f"T{seed}-{i + 1:06d}",
            month=month.strftime("%Y-%m"),
            team=team,
            service_area=team_area[team],
            child_ref=f"CH{rnd.randrange(max(1, count // 3)):06d}",
            legal_status=rnd.choice(statuses),
            auditor=rnd.choice(auditors),
            outcome=outcome,
            due_on=due.isoformat(),
        )
        if outcome in ("returned", "not_ready"):
            submitted = cap(due + datetime.timedelta(days=rnd.randint(-10, 8)))
            grade = rnd.choices(grades, weights=grade_weights)[0]
            row.update(submitted_on=submitted.isoformat(), auditor_grade=grade)
            row["at_risk"] = rnd.choice(["yes", "no"]) if grade == "RI" else "no"
        if outcome == "returned":
            row.update(
                sw_participated=rnd.choice(yes_no),
                manager_participated=rnd.choice(yes_no),
                child_spoken_to=rnd.choice(yes_no),
                parent_spoken_to=rnd.choice(yes_no),
                iro_views=rnd.choice(["yes", "no", "na", ""]),
                child_feedback=rnd.choice(feedback),
                parent_feedback=rnd.choice(feedback),
            )
            for slug in area_slugs:
                row[AREA_PREFIX + slug] = rnd.choice([*grades, "NA"])
            final = row["auditor_grade"]
            moderated_on = None
            if rnd.random() < 0.25:
                moderated_on = cap(submitted + datetime.timedelta(days=rnd.randint(1, 12)))
                final = rnd.choices(grades, weights=grade_weights)[0]
                row.update(
                    moderator=rnd.choice(moderators),
                    moderator_grade=final,
                    moderated_on=moderated_on.isoformat(),
                )
                if rnd.random() < 0.7:
                    row["finalised_on"] = cap(moderated_on + datetime.timedelta(days=rnd.randint(0, 10))).isoformat()
            if final == "INADEQUATE" and rnd.random() < 0.6:
                raised = submitted if row["auditor_grade"] == "INADEQUATE" or moderated_on is None else moderated_on
                row["coc_resolved_on"] = cap(raised + datetime.timedelta(days=rnd.randint(3, 30))).isoformat()
            for n in range(rnd.choice([0, 1, 1, 2])):
                action_due = submitted + datetime.timedelta(days=rnd.randint(14, 90))
                completed = ""
                if rnd.random() < 0.6:
                    completed = cap(action_due + datetime.timedelta(days=rnd.randint(-20, 20))).isoformat()
                actions.append(
                    {
                        "action_ref": f"{row['audit_ref']}-A{n + 1}",
                        "audit_ref": row["audit_ref"],
                        "description": rnd.choice(
                            ["Update the chronology", "Review the child's plan", "Record management oversight"]
                        ),
                        "owner": rnd.choice(owners),
                        "due_on": action_due.isoformat(),
                        "completed_on": completed,
                    }
                )
        elif outcome == "exempted":
            row["exemption_reason"] = rnd.choice(["Extended absence", "Moderating this month", "Other QA activity"])
        audits.append(row)
    return audits, actions


def tracker_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    """Rows as CSV text in the tracker format (the header from the first row unless given)."""
    out = io.StringIO(newline="")
    fieldnames = header or (list(rows[0]) if rows else tracker_header())
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# Import runs: the QA team's upload, preview, confirm and progress in the browser ------------------------


class ImportRunError(Exception):
    """A run cannot be started (already started, or its files have problems)."""


def _stored_name(upload_name: str) -> str:
    # A random stored name: the upload's own name (kept in *_filename) may say whose records these are.
    suffix = Path(upload_name).suffix.lower()
    return uuid.uuid4().hex + (suffix if suffix in (".csv", ".xlsx") else "")


def _problem_dicts(result: ImportResult) -> list[dict[str, Any]]:
    return [problem.as_dict() for problem in result.problems]


def _run_counts(result: ImportResult | None, problems: list) -> dict[str, Any]:
    # The number of problems rides with the counts, so the history page never loads the problems themselves.
    counts: dict[str, Any] = dict(result.counts) if result is not None else {}
    counts["problems"] = len(problems)
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


def import_run_preview(*, by: User, audits_upload: IO[bytes], actions_upload: IO[bytes] | None = None) -> ImportRun:
    """Store the uploaded files and check them as a dry run: the counts and every problem, nothing imported."""
    run = ImportRun(
        by=by,
        audits_filename=Path(audits_upload.name).name[:255],
        actions_filename=Path(actions_upload.name).name[:255] if actions_upload else "",
        status=ImportRun.Status.PREVIEWED,
    )
    run.audits_file.save(_stored_name(audits_upload.name), audits_upload, save=False)
    if actions_upload is not None:
        run.actions_file.save(_stored_name(actions_upload.name), actions_upload, save=False)
    audits_data, actions_data = _run_files(run)
    result = import_tracker_files(
        audits_data,
        actions_data,
        audits_name=run.audits_filename,
        actions_name=run.actions_filename,
        dry_run=True,
    )
    run.rows_total = result.rows_total
    run.problems = _problem_dicts(result)
    run.counts = _run_counts(result, run.problems)
    if result.problems:
        # Nothing can be imported from these files; the QA team fixes them and uploads again.
        _delete_run_files(run)
    run.save()
    return run


def import_run_start(*, run: ImportRun) -> ImportRun:
    """Confirm a clean preview: mark it running and queue the import after commit. Two clicks start one job."""
    from audits.import_tasks import import_run_execute

    if run.problems:
        raise ImportRunError("These files have problems, so nothing can be imported. Fix them and upload again.")
    with transaction.atomic():
        started = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PREVIEWED).update(
            status=ImportRun.Status.RUNNING, rows_done=0
        )
        if started != 1:
            raise ImportRunError("This import has already been started.")
        transaction.on_commit(lambda: import_run_execute.delay(run.pk))
    run.refresh_from_db()
    return run


def import_run_execute(*, run_id: int) -> str:
    """Import a confirmed run's files, recording progress and the outcome. A rerun of a finished run does nothing."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.RUNNING:
        return run.status

    def progress(rows_checked: int) -> None:
        # Outside the import's transaction, so the progress page sees it while the rows are checked.
        ImportRun.objects.filter(pk=run_id).update(rows_done=rows_checked)

    try:
        audits_data, actions_data = _run_files(run)
        result = import_tracker_files(
            audits_data,
            actions_data,
            audits_name=run.audits_filename,
            actions_name=run.actions_filename,
            progress=progress,
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
    run.counts = _run_counts(result, problems) if result is not None else {**run.counts, "problems": len(problems)}
    if result is not None:
        run.rows_total = result.rows_total
    run.rows_done = run.rows_total
    run.finished_at = timezone.now()
    _delete_run_files(run)
    run.save()
    return run.status


def import_runs_discard_stale(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete the files of previews nobody confirmed within a day; they hold case references. Returns how many."""
    cutoff = timezone.now() - older_than
    stale = ImportRun.objects.filter(status=ImportRun.Status.PREVIEWED, created_at__lt=cutoff).exclude(audits_file="")
    discarded = 0
    for run in stale:
        _delete_run_files(run)
        run.problems = [
            {
                "file": run.audits_filename,
                "row": None,
                "column": None,
                "message": "this preview was not confirmed within a day, so its files were discarded; "
                "upload them again",
            }
        ]
        run.counts = {**run.counts, "problems": 1}
        run.save(update_fields=["audits_file", "actions_file", "problems", "counts"])
        discarded += 1
    return discarded
