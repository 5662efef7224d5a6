"""The tracker format's columns, each cell's parsing, and the checks of every row against the rules and the
database (`TrackerCheck`); problems come back as `ROW N, COLUMN X: ...`."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from actions.models import Action, ChildOfConcern
from audits.grading import audit_final_grade_assign
from audits.models import (
    NOT_GRADED,
    AreaGrade,
    AreaGradeChoice,
    Audit,
    Feedback,
    Grade,
    IroViews,
    Policy,
    PracticeArea,
    Programme,
    TemplateVersion,
    Theme,
)
from caseload.models import Child, LegalStatus
from imports.readers import Table, _show
from moderation.models import Moderation
from moderation.services import moderation_outcome
from people.models import ServiceArea, Team, User

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
    "programme",
    "reaudit_of",
    # Learning themes (issue 14): `;`-separated names, matched whatever their case, created if new.
    "themes_improvement",
    "themes_strength",
)
THEME_COLUMNS = {"improvement": "themes_improvement", "strength": "themes_strength"}
THEME_NAME_MAX = Theme._meta.get_field("name").max_length
AREA_PREFIX = "area:"
# Dates of things done: one after the day of the import is listed as a warning.
PAST_DATE_COLUMNS = ("submitted_on", "moderated_on", "finalised_on", "coc_resolved_on")
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
AUDIT_LOAD_FIELDS = (
    "external_ref",
    "template_id",
    "programme_id",
    "reaudit_of",
    *ALWAYS_AUDIT_FIELDS,
    *OPTIONAL_AUDIT_FIELDS,
)
MODERATION_FIELDS = ("status", "moderator_id", "grade", "outcome", "moderated_on")
# Problems kept for one import: checking stops there. Nobody reads a million messages, and keeping them all is
# what made a 5 MB file of bad rows take gigabytes.
MAX_PROBLEMS = 1_000
# Warnings kept for one import (all are counted); the rest are summed up in one line.
MAX_WARNINGS = 1_000

# Existing rows are looked up in chunks small enough for SQLite's 999-parameter limit.
LOOKUP_CHUNK = 900
PROGRESS_EVERY = 1000

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?", re.ASCII)
# The UK form council spreadsheets hold: 25/03/2026 (day and month may have one digit: 5/3/2026).
_UK_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
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
# An overall grade of NA: returned but not graded (contracts.md section 1, added later).
_OVERALL_GRADES = {**_GRADES, "na": NOT_GRADED, "n/a": NOT_GRADED}
_LEGAL_STATUSES = {choice.value: choice.value for choice in LegalStatus}
_FEEDBACK = {choice.value: choice.value for choice in Feedback}


class _CellError(Exception):
    pass


class _TooManyProblems(Exception):
    """MAX_PROBLEMS problems are listed: checking stops, and the list says so."""


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


# The caseload and the staff list (contracts.md section 4): what each import counts. "closed" is a child closed, or
# a person stopped from signing in, because a --full file no longer lists them.
LIST_COUNT_LABELS = {
    "caseload": (
        ("children", "child", "children"),
        ("teams", "team", "teams"),
        ("service_areas", "service area", "service areas"),
        ("users", "social worker account", "social worker accounts"),
        ("flags", "flag", "flags"),
    ),
    "staff": (
        ("users", "person", "people"),
        ("teams", "team", "teams"),
    ),
}
ROW_KINDS = {"tracker": ("audits", "actions"), "caseload": ("children",), "staff": ("people",)}


def count_labels(kind: str) -> tuple[tuple[str, str, str], ...]:
    return COUNT_LABELS if kind == "tracker" else LIST_COUNT_LABELS[kind]


def _empty_counts(kind: str = "tracker") -> dict[str, dict[str, int]]:
    if kind == "tracker":
        return {key: {"created": 0, "updated": 0, "removed": 0} for key, _, _ in COUNT_LABELS}
    return {key: {"created": 0, "updated": 0, "closed": 0} for key, _, _ in LIST_COUNT_LABELS[kind]}


def _count_phrase(
    counts: dict[str, dict[str, int]], kind: str, keys: Iterable[str] | None = None, labels=COUNT_LABELS
) -> str:
    wanted = set(keys) if keys is not None else None
    parts = []
    for key, singular, plural in labels:
        if wanted is not None and key not in wanted:
            continue
        n = counts[key][kind]
        parts.append(f"{n} {singular if n == 1 else plural}")
    return ", ".join(parts)


@dataclass
class ImportResult:
    dry_run: bool
    kind: str = "tracker"
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    # True when checking stopped at MAX_PROBLEMS: the problems listed are the first ones, not all.
    stopped_early: bool = False
    # What is implausible but allowed (contracts.md section 1): imported as it stands and listed here.
    warnings: list[Problem] = field(default_factory=list)
    warnings_total: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = _empty_counts(self.kind)
        if not self.rows:
            self.rows = dict.fromkeys(ROW_KINDS[self.kind], 0)

    def warn(self, file: str, row: int | None, column: str | None, message: str) -> None:
        """Record a warning; the first MAX_WARNINGS are kept, every one is counted."""
        self.warnings_total += 1
        if len(self.warnings) < MAX_WARNINGS:
            if column is not None:
                column = column[:60].replace("\x00", "\\x00")
            self.warnings.append(Problem(file=file, row=row, column=column, message=message.replace("\x00", "\\x00")))

    def warning_lines(self) -> list[str]:
        lines = [f"Warning: {warning}" for warning in self.warnings]
        if self.warnings_total > len(self.warnings):
            lines.append(f"Warning: and {self.warnings_total - len(self.warnings):,} more warnings not listed.")
        return lines

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def rows_total(self) -> int:
        return sum(self.rows.values())

    def summary_lines(self) -> list[str]:
        """What was (or, in a dry run, would be) created and updated, one line each."""
        if self.kind != "tracker":
            return self._list_summary_lines()
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
        if "theme_tags" in self.counts:
            themes, tags = self.counts["themes"], self.counts["theme_tags"]
            lines.append(
                f"Learning themes: {themes['created']} new; tags {tags['created']} added, {tags['removed']} removed."
            )
        if self.ignored_columns:
            lines.append("Ignored columns (not in the tracker format): " + ", ".join(self.ignored_columns) + ".")
        return lines

    def _list_summary_lines(self) -> list[str]:
        labels = LIST_COUNT_LABELS[self.kind]
        rows = f"{self.rows_total} rows"
        if self.dry_run:
            lines = [f"Dry run: checked {rows}; nothing was written."]
            created, updated, closed = "Would create", "Would update", "Would close"
        else:
            lines = [f"Imported {rows}."]
            created, updated, closed = "Created", "Updated", "Closed"
        lines.append(f"{created}: {_count_phrase(self.counts, 'created', labels=labels)}.")
        updatable = ("children",) if self.kind == "caseload" else ("users", "teams")
        lines.append(f"{updated}: {_count_phrase(self.counts, 'updated', updatable, labels=labels)}.")
        what = "children (closed today)" if self.kind == "caseload" else "people (can no longer sign in)"
        lines.append(f"{closed}: {self.counts[labels[0][0]]['closed']} {what}.")
        if self.ignored_columns:
            lines.append("Ignored columns (not in the format): " + ", ".join(self.ignored_columns) + ".")
        return lines


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
    programme: str = ""
    coc_resolved_on: datetime.date | None = None
    reaudit_of: str = ""
    areas: dict[str, str] = field(default_factory=dict)
    # Theme names by kind, for the theme columns the file has (a blank cell: none of that kind).
    themes: dict[str, list[str]] = field(default_factory=dict)
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


def parse_date(text: str) -> datetime.date:
    """A date cell of any import: `YYYY-MM-DD`, the UK `DD/MM/YYYY`, or an XLSX date cell (which the reader turns
    into `YYYY-MM-DD`, with ` 00:00:00` when Excel stored it as a date and time at midnight). Raises _CellError."""
    match = _DATE_RE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _UK_DATE_RE.fullmatch(text)
        if not match:
            raise _CellError(f"{_show(text)} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
        day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _CellError(f"{_show(text)} is not a real date") from None


def _grade(text: str) -> str:
    grade = _OVERALL_GRADES.get(" ".join(text.lower().split()))
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


def _theme_names(text: str) -> list[str]:
    """`Chronology; Voice of the child` as names, each once whatever its case, in the order written."""
    names: dict[str, str] = {}
    for part in text.split(";"):
        name = " ".join(part.split())
        if len(name) > THEME_NAME_MAX:
            raise _CellError(f'the theme "{name[:40]}..." is {len(name)} characters long; at most {THEME_NAME_MAX} fit')
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


def _username(text: str) -> str:
    if len(text) > 150:
        raise _CellError(f"is {len(text)} characters long; a username has at most 150")
    if not _USERNAME_RE.fullmatch(text):
        raise _CellError(f"{_show(text)} is not a username (letters, digits and @ . + - _ only)")
    return text


class TableCheck:
    """What every import shares once its files are read: problems and warnings by row and column, progress, the
    one date parser, the header check and the cell-by-cell parsing of a table. The tracker (`TrackerCheck`), the
    caseload and the staff list (`imports.lists`) each add their own columns, rules and writing."""

    # Columns whose name starts with this are known columns too (the tracker's practice areas).
    extra_prefix: str | None = None

    def parse_cells(
        self,
        file: str,
        number: int,
        cells: list[str],
        columns: list[tuple[str, int, Callable[[str], Any]]],
        required: Iterable[str],
        width: int,
    ) -> tuple[dict[str, Any], bool]:
        """One row's cells as {column: parsed value} (None when blank), and whether any was refused: a blank
        required cell, a NUL character, a value its parser refuses, or a value beyond the header's columns."""
        values: dict[str, Any] = {}
        bad = False
        for name, position, parse in columns:
            text = cells[position] if position < len(cells) else ""
            if not text:
                if name in required:
                    self.problem(file, number, name, "is required but blank")
                    bad = True
                values[name] = None
                continue
            if "\x00" in text:
                self.problem(file, number, name, "contains a NUL character, which cannot be stored")
                bad = True
                continue
            try:
                values[name] = parse(text)
            except _CellError as exc:
                self.problem(file, number, name, str(exc))
                bad = True
        for position in range(width, len(cells)):
            if cells[position]:
                self.problem(file, number, str(position + 1), "holds a value but the header names no column here")
                bad = True
        return values, bad

    def __init__(self, *, dry_run: bool, progress: Callable[[int], None] | None, result: ImportResult) -> None:
        self.dry_run = dry_run
        self.progress = progress
        self.result = result
        self.today = timezone.localdate()
        self.now = timezone.now()
        self._dates: dict[str, datetime.date] = {}
        self.present: set[str] = set()
        self.checked = 0

    # Problems and progress.

    def problem(self, file: str, row: int | None, column: str | None, message: str) -> None:
        # A NUL copied from a cell into a message could not be stored (PostgreSQL's JSON refuses it): show it.
        if column is not None:
            column = column[:60].replace("\x00", "\\x00")
        message = message.replace("\x00", "\\x00")
        self.result.problems.append(Problem(file=file, row=row, column=column, message=message))
        if len(self.result.problems) >= MAX_PROBLEMS:
            raise _TooManyProblems

    def warn(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.result.warn(file, row, column, message)

    def tick(self) -> None:
        self.checked += 1
        if self.progress is not None and self.checked % PROGRESS_EVERY == 0:
            self.progress(self.checked)

    # Cell parsers that need state.

    def _date(self, text: str) -> datetime.date:
        cached = self._dates.get(text)
        if cached is not None:
            return cached
        value = parse_date(text)
        self._dates[text] = value
        return value

    def warn_future(self, file: str, number: int, values: dict[str, Any], names: Iterable[str]) -> None:
        """A date of something done (submitted, moderated...) after today is implausible, not forbidden."""
        for name in names:
            value = values.get(name)
            if value is not None and value > self.today:
                self.warn(file, number, name, f"{value.isoformat()} is in the future")

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
            if name not in known and not (
                optional is AUDIT_OPTIONAL and self.extra_prefix and name.startswith(self.extra_prefix)
            ):
                self.result.ignored_columns.append(f"{table.name}: {name}")
        return index

    def parse_table(
        self,
        table: Table,
        required: tuple[str, ...],
        optional: tuple[str, ...],
        parsers: dict[str, Callable[[str], Any]],
        *,
        unique: str | None = None,
        unique_key: Callable[[str], str] = str,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Every row of a list (caseload, staff) as (row number, parsed values of the columns present); a bad cell is
        reported by row and column and its row left out. `unique` names the column whose values may appear once."""
        index = self.check_header(table, required, optional)
        self.present = set(index)
        self.result.rows[self.row_kind] = len(table.rows)
        if self.result.problems:
            return []
        if not table.rows:
            self.problem(table.name, None, None, "the file has a header row but no rows below it")
            return []
        columns = [(name, index[name], parsers[name]) for name in (*required, *optional) if name in index]
        width = len(table.header)
        first_seen: dict[str, int] = {}
        parsed: list[tuple[int, dict[str, Any]]] = []
        for number, cells in table.rows:
            self.tick()
            values, bad = self.parse_cells(table.name, number, cells, columns, required, width)
            if unique is not None and values.get(unique):
                key = unique_key(values[unique])
                if key in first_seen:
                    self.problem(
                        table.name,
                        number,
                        unique,
                        f"{_show(values[unique])} is already used by row {first_seen[key]}; "
                        f"each {unique} must be unique",
                    )
                    bad = True
                else:
                    first_seen[key] = number
            if not bad:
                parsed.append((number, values))
        return parsed

    row_kind = "rows"


class TrackerCheck(TableCheck):
    extra_prefix = AREA_PREFIX

    def __init__(
        self,
        audits: Table | None,
        actions: Table | None,
        *,
        dry_run: bool,
        progress: Callable[[int], None] | None,
        result: ImportResult,
    ) -> None:
        super().__init__(dry_run=dry_run, progress=progress, result=result)
        self.audits_table = audits
        self.actions_table = actions
        self.audit_rows: list[_AuditRow] = []
        self.action_rows: list[_ActionRow] = []
        self.area_columns: list[str] = []
        self.action_present: set[str] = set()

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
            "submitted_on": self._date,
            "auditor_grade": _grade,
            "at_risk": _yes_no,
            "moderator": _username,
            "moderator_grade": _grade,
            "moderated_on": self._date,
            "finalised_on": self._date,
            "sw_participated": _yes_no,
            "manager_participated": _yes_no,
            "child_spoken_to": _yes_no,
            "parent_spoken_to": _yes_no,
            "iro_views": _iro_views,
            "child_feedback": _feedback,
            "parent_feedback": _feedback,
            "coc_resolved_on": self._date,
            "exemption_reason": str,
            "programme": _limited(Programme._meta.get_field("name").max_length),
            "reaudit_of": _limited(Audit._meta.get_field("external_ref").max_length),
            "themes_improvement": _theme_names,
            "themes_strength": _theme_names,
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
        self.warn_future(file, number, values, PAST_DATE_COLUMNS)
        if not values.get("moderator"):
            # A grade or date of moderation without a moderator has nowhere to go (warned in check_row_rules).
            values["moderator_grade"] = values["moderated_on"] = None
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
            programme=values.get("programme") or "",
            coc_resolved_on=values.get("coc_resolved_on"),
            reaudit_of=values.get("reaudit_of") or "",
            areas=area_values,
            themes={kind: values[column] or [] for kind, column in THEME_COLUMNS.items() if column in values},
        )

    def check_row_rules(self, file: str, number: int, v: dict[str, Any], skip: set[str] = frozenset()) -> bool:
        """Rules between the cells of one row. Returns False when the row breaks any.

        Only what contracts.md section 1 requires is a problem ("if returned", "if moderator"); what the product
        finds implausible but the contract does not forbid (dates out of order, a grade on an exempted row) is a
        warning, and the row is imported as it stands. Columns in `skip` already had a problem reported; a bad
        cell reads as absent here, and no second problem is reported for it.
        """
        broken = False

        def problem(column: str, message: str) -> None:
            nonlocal broken
            broken = True
            if column not in skip:
                self.problem(file, number, column, message)

        def warn(column: str, message: str) -> None:
            if column not in skip:
                self.warn(file, number, column, message)

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
                    warn(name, f"is given but an audit with outcome {outcome} was not submitted; imported as it stands")
        if v.get("moderator"):
            if status != Audit.Status.SUBMITTED:
                warn("moderator", "is given but only returned audits are moderated; imported as it stands")
            if not v.get("moderator_grade"):
                problem("moderator_grade", "is required when a moderator is named")
            if v.get("moderated_on") is None:
                problem("moderated_on", "is required when a moderator is named")
        else:
            for name in ("moderator_grade", "moderated_on"):
                if v.get(name):
                    warn(name, "is given but no moderator is named, so it is not imported")
        submitted, moderated, finalised = v.get("submitted_on"), v.get("moderated_on"), v.get("finalised_on")
        if submitted and moderated and v.get("moderator") and moderated < submitted:
            warn("moderated_on", f"is before submitted_on ({submitted.isoformat()}); imported as it stands")
        if finalised and moderated and v.get("moderator") and finalised < moderated:
            warn("finalised_on", f"is before moderated_on ({moderated.isoformat()}); imported as it stands")
        elif finalised and submitted and finalised < submitted:
            warn("finalised_on", f"is before submitted_on ({submitted.isoformat()}); imported as it stands")
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
            "completed_on": self._date,
        }
        columns = [(name, index[name], parsers[name]) for name in (*ACTION_REQUIRED, *ACTION_OPTIONAL) if name in index]
        width = len(table.header)
        first_seen: dict[str, int] = {}
        for number, cells in table.rows:
            self.tick()
            values, bad = self.parse_cells(table.name, number, cells, columns, ACTION_REQUIRED, width)
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
            self.warn_future(table.name, number, values, ("completed_on",))
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
        # Earlier audits named in reaudit_of that are not rows of this file: their id and month.
        earlier_refs = sorted({row.reaudit_of for row in self.audit_rows if row.reaudit_of} - file_refs)
        self.earlier_audits: dict[str, tuple[int, datetime.date]] = {}
        for chunk in _chunks(earlier_refs):
            for ref, pk, month in Audit.objects.filter(external_ref__in=chunk).values_list(
                "external_ref", "pk", "month"
            ):
                self.earlier_audits[ref] = (pk, month)
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
            audit_final_grade_assign(audit)

            concern = self.existing_concerns.get(audit.pk) if audit.pk else None
            if row.coc_resolved_on is not None:
                if audit.final_grade != Grade.INADEQUATE:
                    self.warn(
                        file,
                        row.number,
                        "coc_resolved_on",
                        "is given but the final grade is not Inadequate, so there is no Child of Concern; not imported",
                    )
                else:
                    raised_on = concern.raised_on if concern else _concern_raised_on(audit, moderation)
                    if raised_on and row.coc_resolved_on < raised_on:
                        self.warn(
                            file,
                            row.number,
                            "coc_resolved_on",
                            f"is before the day the product would have raised the Child of Concern "
                            f"({raised_on.isoformat()}); imported as it stands",
                        )

    def check_reaudits(self) -> None:
        """reaudit_of names an earlier audit: a row of this file or one already imported, never the row itself,
        and not one of a later month."""
        months = {row.ref: row.month for row in self.audit_rows}
        for row in self.audit_rows:
            if not row.reaudit_of:
                continue
            if row.reaudit_of == row.ref:
                self.problem(
                    self.audits_table.name,
                    row.number,
                    "reaudit_of",
                    "names this row itself; an audit cannot re-audit itself",
                )
                continue
            month = months.get(row.reaudit_of) or self.earlier_audits.get(row.reaudit_of, (None, None))[1]
            if month is None:
                self.problem(
                    self.audits_table.name,
                    row.number,
                    "reaudit_of",
                    f"{_show(row.reaudit_of)} is neither in the audits file nor already imported",
                )
            elif month > row.month:
                self.problem(
                    self.audits_table.name,
                    row.number,
                    "reaudit_of",
                    f"{_show(row.reaudit_of)} is an audit of {month:%Y-%m}, after this row's month; "
                    "a re-audit follows the audit it names",
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


def _concern_raised_on(audit: Audit, moderation: Moderation | None) -> datetime.date | None:
    """The day the product would have raised it: at submission if the auditor said Inadequate, else at moderation."""
    if audit.auditor_grade == Grade.INADEQUATE or moderation is None or moderation.moderated_on is None:
        return audit.submitted_on
    return moderation.moderated_on
