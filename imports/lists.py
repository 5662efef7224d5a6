"""The caseload and the staff list from the case-management and HR systems (contracts.md section 4).

Each is a `TableCheck` (the tracker's shared checking: header, cells, one date parser, problems and warnings by
row and column) with its own columns, rules and writing. `run()` checks every row, plans every change against the
database in a few queries per table, and writes only what differs, in one transaction: an unchanged re-import
writes nothing. In a dry run the same plan is counted, never written.

Decisions the contract leaves open:
- Teams, service areas and usernames match existing ones ignoring case.
- A column left out of the file leaves that field as it is; a blank cell in a present column clears it, except
  where the contract gives a blank its own meaning (`audits_per_month` blank is 1, `active` blank is yes, `fte`
  blank is 1.0).
- A child on the caseload is open unless `closed_on` is set: a closed child listed again without `closed_on` is
  re-opened.
- A new team takes the service area of the first row that names it; a team already in the product stays in its
  service area (a row naming another is a warning).
- Staff `team` and `manages` name teams already in the product (import the caseload first): an unknown team is a
  warning and is left out. `manages` sets the admin's fields: the one person who manages a team is its manager;
  of two, the one who manages more teams is its head of service (a third is a warning). A team no longer listed
  by its manager or head of service (when that person is in the file) loses them.
- `fte` 0.5 or less audits every other month (the admin's "audit frequency"); above 1 is a warning.
- Roles and flags are replaced only when their column is present; a new person without `roles` holds none, so
  `quality` is never granted unless the file says so.
- A superuser or staff administrator is never changed (the admin allows that only to a superuser): their row is
  a warning and `--full` leaves them alone.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from caseload.models import Child, Flag
from common.bulk import BulkInsert
from common.data_version import data_version_bump
from imports.readers import Table, _show
from imports.rows import (
    TableCheck,
    _CellError,
    _chunks,
    _legal_status,
    _limited,
    _username,
    _yes_no,
)
from imports.writer import _large_page_cache
from people.models import ServiceArea, Team, User
from people.permissions import ROLE_FLAGS

WRITE_BATCH = 2000

CASELOAD_REQUIRED = ("case_ref", "team", "service_area", "legal_status")
CASELOAD_OPTIONAL = ("social_worker", "opened_on", "closed_on", "flags")
STAFF_REQUIRED = ("username", "first_name", "last_name", "email")
STAFF_OPTIONAL = ("team", "manages", "roles", "fte", "audits_per_month", "active")

_FLAG_RE = re.compile(r"[\w./:+-]+(?: [\w./:+-]+)*")
_ROLES = dict(ROLE_FLAGS)


def _flags(text: str) -> list[str]:
    flags: list[str] = []
    for part in text.split(";"):
        flag = " ".join(part.split()).lower()
        if not flag:
            continue
        if len(flag) > Flag._meta.get_field("name").max_length:
            raise _CellError(f"the flag {_show(flag)} is longer than 50 characters")
        if not _FLAG_RE.fullmatch(flag):
            raise _CellError(f"the flag {_show(flag)} holds characters a flag may not (letters, digits, _ - . only)")
        if flag not in flags:
            flags.append(flag)
    return flags


def _names(text: str) -> list[str]:
    names: list[str] = []
    for part in text.split(";"):
        name = " ".join(part.split())
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names


def _roles(text: str) -> list[str]:
    roles = []
    for part in text.split(";"):
        role = part.strip().lower()
        if not role:
            continue
        if role not in _ROLES:
            raise _CellError(
                f"{_show(role)} is not a role (use auditor, moderator, manager or quality, separated by ;)"
            )
        roles.append(role)
    return roles


def _fte(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _CellError(f"{_show(text)} is not a number (e.g. 1 or 0.5)") from None
    if not value.is_finite() or value <= 0 or value >= 10:
        raise _CellError(f"{_show(text)} is not a full-time equivalent (a number above 0, e.g. 1 or 0.5)")
    if value != value.quantize(Decimal("0.01")):
        raise _CellError(f"{_show(text)} has more than two decimal places")
    return value.quantize(Decimal("0.01"))


def _audits_per_month(text: str) -> int:
    if text not in ("1", "2"):
        raise _CellError(f"{_show(text)} is not 1 or 2")
    return int(text)


def _email(text: str) -> str:
    if len(text) > User._meta.get_field("email").max_length:
        raise _CellError(f"is {len(text)} characters long; an e-mail address has at most 254")
    try:
        validate_email(text)
    except ValidationError:
        raise _CellError(f"{_show(text)} is not an e-mail address") from None
    return text


class _ListImport(TableCheck, ABC):
    """One list (caseload or staff): `run()` checks, plans and (unless a dry run) writes in one transaction.

    Each list says how its rows are read (`parse`) and written (`apply`).
    """

    kind = ""

    def __init__(
        self,
        table: Table,
        *,
        full: bool,
        dry_run: bool,
        progress: Callable[[int], None] | None,
        result,
    ) -> None:
        super().__init__(dry_run=dry_run, progress=progress, result=result)
        self.table = table
        self.full = full
        self.file = table.name

    @abstractmethod
    def parse(self) -> list[tuple[int, dict[str, Any]]]:
        """The rows as (row number, cleaned values); problems go on the result."""

    @abstractmethod
    def apply(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Plan the changes, count them and, unless a dry run, write them."""

    def run(self) -> None:
        rows = self.parse()
        if self.result.problems:
            return
        if self.progress is not None:
            self.progress(self.checked)
        if self.dry_run:
            # Planning writes nothing in a dry run; the transaction is rolled back all the same, for safety.
            with transaction.atomic():
                self.apply(rows)
                transaction.set_rollback(True)
            return
        with _large_page_cache(), transaction.atomic():
            self.apply(rows)
            # The rows went in by bulk statements, which send no signals: cached reports must be recomputed.
            data_version_bump()

    def count(self, key: str, what: str, n: int = 1) -> None:
        self.result.counts[key][what] += n


def _lower_map(model, field: str, names: list[str], *values: str) -> dict[str, Any]:
    """Existing rows whose `field` matches one of `names` ignoring case, keyed by the lower-cased name."""
    found: dict[str, Any] = {}
    keys = sorted({name.lower() for name in names})
    for chunk in _chunks(keys):
        query = model.objects.annotate(_key=Lower(field)).filter(_key__in=chunk).order_by("pk")
        for row in query.values_list("_key", *values) if values else query:
            if values:
                found.setdefault(row[0], row[1:] if len(row) > 2 else row[1])
            else:
                found.setdefault(row._key, row)
    return found


@dataclass
class _ChildPlan:
    """What a caseload import changes in its children: planned first, then written (unless a dry run)."""

    refs: list[str]
    fields: list[str]
    existing: dict[str, Child] = field(default_factory=dict)
    new_children: list[Child] = field(default_factory=list)
    changed: list[Child] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    wanted_flags: dict[str, set[int]] = field(default_factory=dict)
    flags_changed: list[str] = field(default_factory=list)


class CaseloadImport(_ListImport):
    kind = "caseload"
    row_kind = "children"

    def parse(self) -> list[tuple[int, dict[str, Any]]]:
        parsers: dict[str, Callable[[str], Any]] = {
            "case_ref": _limited(Child._meta.get_field("case_ref").max_length),
            "team": _limited(Team._meta.get_field("name").max_length),
            "service_area": _limited(ServiceArea._meta.get_field("name").max_length),
            "legal_status": _legal_status,
            "social_worker": _username,
            "opened_on": self._date,
            "closed_on": self._date,
            "flags": _flags,
        }
        rows = self.parse_table(self.table, CASELOAD_REQUIRED, CASELOAD_OPTIONAL, parsers, unique="case_ref")
        for number, values in rows:
            self.warn_future(self.file, number, values, ("opened_on", "closed_on"))
            opened, closed = values.get("opened_on"), values.get("closed_on")
            if opened and closed and closed < opened:
                self.warn(self.file, number, "closed_on", f"is before opened_on ({opened.isoformat()})")
        return rows

    def apply(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        # Stand-in ids for what a dry run would create, shared by every step in this order.
        self.temp_ids = iter(range(-1, -(10**9), -1))
        area_ids, teams, area_names = self._load_areas_and_teams()
        self._create_service_areas(rows, area_ids, area_names)
        self._create_teams(rows, teams, area_ids, area_names)
        users = self._create_social_workers(rows)
        flag_ids = self._create_flags(rows)
        plan = self._plan_children(rows, teams, users, flag_ids)
        closing = self._plan_closing(plan.refs)
        if self.dry_run:
            return
        self._write_children(plan, closing)

    def _load_areas_and_teams(self) -> tuple[dict[str, int], dict[str, tuple[int, int]], dict[int, str]]:
        """The product's service areas and teams, keyed by lower-cased name.

        Returns area ids by name, teams' (id, area id) by name, and service area names by id.
        """
        area_ids = {name.lower(): pk for pk, name in ServiceArea.objects.values_list("pk", "name")}
        teams = {
            name.lower(): (pk, area_id)
            for pk, name, area_id in Team.objects.values_list("pk", "name", "service_area_id")
        }
        area_names = dict(ServiceArea.objects.values_list("pk", "name"))
        return area_ids, teams, area_names

    def _create_service_areas(self, rows, area_ids: dict[str, int], area_names: dict[int, str]) -> None:
        """Service areas, created if new (and added to `area_ids` and `area_names`)."""
        write = not self.dry_run
        temp_ids = self.temp_ids
        new_areas = {}
        for _, v in rows:
            key = v["service_area"].lower()
            if key not in area_ids and key not in new_areas:
                new_areas[key] = v["service_area"]
        self.count("service_areas", "created", len(new_areas))
        if write:
            for area in ServiceArea.objects.bulk_create([ServiceArea(name=name) for name in new_areas.values()]):
                area_ids[area.name.lower()] = area.pk
                area_names[area.pk] = area.name
        else:
            for key, name in new_areas.items():
                area_ids[key] = next(temp_ids)
                area_names[area_ids[key]] = name

    def _create_teams(self, rows, teams: dict[str, tuple[int, int]], area_ids, area_names) -> None:
        """Teams, created if new in the service area of their first row (and added to `teams`)."""
        write = not self.dry_run
        temp_ids = self.temp_ids
        new_teams: dict[str, tuple[str, int, int]] = {}
        for number, v in rows:
            key = v["team"].lower()
            area_id = area_ids[v["service_area"].lower()]
            if key in teams:
                if teams[key][1] != area_id:
                    self.warn(
                        self.file,
                        number,
                        "service_area",
                        f'team "{v["team"]}" is in the service area "{area_names[teams[key][1]]}" in the product; '
                        "it stays there",
                    )
            elif key in new_teams:
                if new_teams[key][1] != area_id:
                    self.warn(
                        self.file,
                        number,
                        "service_area",
                        f'team "{v["team"]}" is new and row {new_teams[key][2]} puts it in another service area; '
                        "the first row decides",
                    )
            else:
                new_teams[key] = (v["team"], area_id, number)
        self.count("teams", "created", len(new_teams))
        if write:
            created = Team.objects.bulk_create(
                [Team(name=name, service_area_id=a) for name, a, _ in new_teams.values()]
            )
            for team in created:
                teams[team.name.lower()] = (team.pk, team.service_area_id)
        else:
            for key, (_, area_id, _) in new_teams.items():
                teams[key] = (next(temp_ids), area_id)

    def _create_social_workers(self, rows) -> dict[str, int]:
        """Social workers' ids by lower-cased username (empty without the column).

        An unknown username becomes an inactive account that cannot sign in, and a warning.
        """
        write = not self.dry_run
        temp_ids = self.temp_ids
        users: dict[str, int] = {}
        if "social_worker" not in self.present:
            return users
        names = [v["social_worker"] for _, v in rows if v.get("social_worker")]
        users = _lower_map(User, "username", names, "pk")
        new_users: dict[str, str] = {}
        for number, v in rows:
            name = v.get("social_worker")
            # One warning per unknown username, on the first row naming it: not one per child.
            if name and name.lower() not in users and name.lower() not in new_users:
                self.warn(
                    self.file,
                    number,
                    "social_worker",
                    f"{_show(name)} is not on the staff list; an inactive account that cannot sign in is made",
                )
                new_users[name.lower()] = name
        self.count("users", "created", len(new_users))
        if write:
            created_users = User.objects.bulk_create(
                [User(username=name, is_active=False, password=make_password(None)) for name in new_users.values()],
                batch_size=WRITE_BATCH,
            )
            users.update({user.username.lower(): user.pk for user in created_users})
        else:
            users.update({key: next(temp_ids) for key in new_users})
        return users

    def _create_flags(self, rows) -> dict[str, int]:
        """Flags' ids by name, created if new (empty without the column)."""
        write = not self.dry_run
        temp_ids = self.temp_ids
        flag_ids: dict[str, int] = {}
        if "flags" in self.present:
            flag_ids = dict(Flag.objects.values_list("name", "pk"))
            wanted = sorted({flag for _, v in rows for flag in (v.get("flags") or []) if flag not in flag_ids})
            self.count("flags", "created", len(wanted))
            if write:
                flag_ids.update(
                    {flag.name: flag.pk for flag in Flag.objects.bulk_create([Flag(name=n) for n in wanted])}
                )
            else:
                flag_ids.update({name: next(temp_ids) for name in wanted})
        return flag_ids

    def _load_children(self, refs: list[str]) -> tuple[dict[str, Child], dict[int, set[int]]]:
        """The children of the file already in the product, by case_ref, and (with the flags column) their flags."""
        existing: dict[str, Child] = {}
        for chunk in _chunks(refs):
            for child in Child.objects.filter(case_ref__in=chunk).only(
                "pk", "case_ref", "team_id", "legal_status", "social_worker_id", "is_open", "opened_on", "closed_on"
            ):
                existing[child.case_ref] = child
        current_flags: dict[int, set[int]] = defaultdict(set)
        if "flags" in self.present:
            through = Child.flags.through
            ids = [child.pk for child in existing.values()]
            for chunk in _chunks(ids):
                for child_id, flag_id in through.objects.filter(child_id__in=chunk).values_list("child_id", "flag_id"):
                    current_flags[child_id].add(flag_id)
        return existing, current_flags

    def _child_fields(self) -> list[str]:
        """The fields of a child the file sets: a column left out leaves its field as it is."""
        fields = ["team_id", "legal_status", "is_open", "closed_on"]
        if "social_worker" in self.present:
            fields.append("social_worker_id")
        if "opened_on" in self.present:
            fields.append("opened_on")
        return fields

    def _child_values(self, v: dict[str, Any], teams, users) -> dict[str, Any]:
        """What one row sets on its child."""
        values = {
            "team_id": teams[v["team"].lower()][0],
            "legal_status": v["legal_status"],
            "closed_on": v.get("closed_on"),
            "is_open": v.get("closed_on") is None,
        }
        if "social_worker" in self.present:
            values["social_worker_id"] = users[v["social_worker"].lower()] if v.get("social_worker") else None
        if "opened_on" in self.present:
            values["opened_on"] = v.get("opened_on")
        return values

    def _plan_children(self, rows, teams, users, flag_ids) -> _ChildPlan:
        """Children: which are new, which change (only what differs is written), and their flags."""
        flag_column = "flags" in self.present
        plan = _ChildPlan(refs=[v["case_ref"] for _, v in rows], fields=self._child_fields())
        plan.existing, current_flags = self._load_children(plan.refs)
        for _, v in rows:
            child = plan.existing.get(v["case_ref"])
            values = self._child_values(v, teams, users)
            if flag_column:
                plan.wanted_flags[v["case_ref"]] = {flag_ids[flag] for flag in v.get("flags") or []}
            if child is None:
                plan.new_children.append(Child(case_ref=v["case_ref"], **values))
                continue
            differs = {name for name in plan.fields if getattr(child, name) != values[name]}
            for name in differs:
                setattr(child, name, values[name])
            flags_differ = flag_column and current_flags.get(child.pk, set()) != plan.wanted_flags[v["case_ref"]]
            if flags_differ:
                plan.flags_changed.append(v["case_ref"])
            if differs:
                plan.changed.append(child)
                plan.changed_fields |= differs
            if differs or flags_differ:
                self.count("children", "updated")
        self.count("children", "created", len(plan.new_children))
        return plan

    def _plan_closing(self, refs: list[str]) -> list[Child]:
        """--full: an open child missing from the file is closed on the day of the import."""
        closing: list[Child] = []
        if self.full:
            listed = set(refs)
            for child in Child.objects.filter(is_open=True).iterator(chunk_size=WRITE_BATCH):
                if child.case_ref not in listed:
                    child.is_open = False
                    child.closed_on = self.today
                    closing.append(child)
            self.count("children", "closed", len(closing))
        return closing

    def _write_children(self, plan: _ChildPlan, closing: list[Child]) -> None:
        existing, new_children = plan.existing, plan.new_children
        if new_children:
            # The tracker's bulk writer (one prepared statement, or COPY on PostgreSQL): 50,000 children in seconds.
            # Like the tracker's, a child created here starts its history at its first change.
            columns = ("case_ref", *plan.fields)
            BulkInsert(Child, columns).insert(tuple(getattr(c, name) for name in columns) for c in new_children)
            for chunk in _chunks([c.case_ref for c in new_children]):
                for pk, ref in Child.objects.filter(case_ref__in=chunk).values_list("pk", "case_ref"):
                    existing[ref] = Child(pk=pk, case_ref=ref)
        if plan.changed:
            bulk_update_with_history(plan.changed, Child, sorted(plan.changed_fields), batch_size=WRITE_BATCH)
        if closing:
            bulk_update_with_history(closing, Child, ["is_open", "closed_on"], batch_size=WRITE_BATCH)
        if "flags" in self.present:
            through = Child.flags.through
            replaced = [existing[ref].pk for ref in plan.flags_changed]
            for chunk in _chunks(replaced):
                through.objects.filter(child_id__in=chunk).delete()
            links = [
                through(child_id=existing[ref].pk, flag_id=flag_id)
                for ref in [*plan.flags_changed, *(c.case_ref for c in new_children)]
                for flag_id in plan.wanted_flags[ref]
            ]
            through.objects.bulk_create(links, batch_size=WRITE_BATCH)


@dataclass
class _PeoplePlan:
    """What a staff import changes in its people: planned first, then written (unless a dry run)."""

    fields: list[str]
    new_users: list[User] = field(default_factory=list)
    changed: list[User] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    team_links: dict[str, set[int]] = field(default_factory=dict)
    manages: dict[str, list[int]] = field(default_factory=dict)
    people: dict[str, tuple[int, User | None]] = field(default_factory=dict)


class StaffImport(_ListImport):
    kind = "staff"
    row_kind = "people"

    def parse(self) -> list[tuple[int, dict[str, Any]]]:
        parsers: dict[str, Callable[[str], Any]] = {
            "username": _username,
            "first_name": _limited(User._meta.get_field("first_name").max_length),
            "last_name": _limited(User._meta.get_field("last_name").max_length),
            "email": _email,
            "team": _limited(Team._meta.get_field("name").max_length),
            "manages": _names,
            "roles": _roles,
            "fte": _fte,
            "audits_per_month": _audits_per_month,
            "active": _yes_no,
        }
        rows = self.parse_table(
            self.table, STAFF_REQUIRED, STAFF_OPTIONAL, parsers, unique="username", unique_key=str.lower
        )
        emails: dict[str, int] = {}
        for number, values in rows:
            email = values["email"].lower()
            if email in emails:
                self.warn(
                    self.file,
                    number,
                    "email",
                    f"is also on row {emails[email]}; single sign-on refuses an address two people share",
                )
            else:
                emails[email] = number
            fte = values.get("fte")
            if fte is not None and fte > 1:
                self.warn(self.file, number, "fte", f"{fte} is more than full time; imported as it stands")
        return rows

    def apply(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        teams, existing, current_teams = self._load_people(rows)
        listed = {v["username"].lower() for _, v in rows}
        self._warn_shared_emails(rows, listed)
        plan = self._plan_people(rows, teams, existing)
        stopping = self._plan_stopping(listed)
        self.count("users", "created", len(plan.new_users))
        self.count("users", "closed", len(stopping))
        self._write_people(plan, stopping)
        removals, additions, updated_people = self._plan_team_links(plan, existing, current_teams)
        # Teams managed: the admin's manager and head of service of each team.
        team_changes = self._plan_managers(plan.manages, plan.people, teams, existing)
        self.count("users", "updated", len(updated_people | self._manager_people))
        self.count("teams", "updated", len(team_changes))
        if self.dry_run:
            return
        self._write_teams(removals, additions, team_changes, teams)

    def _load_people(self, rows) -> tuple[dict[str, Team], dict[str, User], dict[int, set[int]]]:
        """What the staff list is planned against, keyed by lower-cased name.

        Returns the product's teams, the file's people already in the product, and the teams each of them is in.
        """
        teams = {team.name.lower(): team for team in Team.objects.all()}
        existing: dict[str, User] = _lower_map(User, "username", [v["username"] for _, v in rows])
        through = User.teams.through
        current_teams: dict[int, set[int]] = defaultdict(set)
        for chunk in _chunks([user.pk for user in existing.values()]):
            for user_id, team_id in through.objects.filter(user_id__in=chunk).values_list("user_id", "team_id"):
                current_teams[user_id].add(team_id)
        return teams, existing, current_teams

    def _warn_shared_emails(self, rows, listed: set[str]) -> None:
        """Other accounts holding an address of the file: single sign-on could not tell them apart."""
        emails: dict[str, int] = {}
        for number, v in rows:
            emails.setdefault(v["email"].lower(), number)
        for chunk in _chunks(sorted(emails)):
            others = (
                User.objects.annotate(_email=Lower("email"))
                .filter(_email__in=chunk, is_active=True)
                .values_list("_email", "username")
            )
            for email, username in others:
                if username.lower() not in listed:
                    self.warn(
                        self.file,
                        emails[email],
                        "email",
                        f'is also the address of the account "{username}", which the file does not list; '
                        "single sign-on refuses an address two people share",
                    )

    def _person_fields(self) -> list[str]:
        """The fields of a person the file sets: a column left out leaves its fields as they are."""
        fields = ["first_name", "last_name", "email", "is_active"]
        if "roles" in self.present:
            fields += list(ROLE_FLAGS.values())
        if "fte" in self.present:
            fields += ["fte", "audit_frequency"]
        if "audits_per_month" in self.present:
            fields.append("audits_per_month")
        return fields

    def _person_values(self, v: dict[str, Any]) -> dict[str, Any]:
        """What one row sets on its person."""
        present = self.present
        values: dict[str, Any] = {
            "first_name": v["first_name"],
            "last_name": v["last_name"],
            "email": v["email"],
            "is_active": True if v.get("active") is None else v["active"],
        }
        if "roles" in present:
            roles = set(v.get("roles") or [])
            values.update({flag: role in roles for role, flag in ROLE_FLAGS.items()})
        if "fte" in present:
            fte = v.get("fte") or Decimal("1.00")
            values["fte"] = fte
            values["audit_frequency"] = (
                User.AuditFrequency.BIMONTHLY if fte <= Decimal("0.5") else User.AuditFrequency.MONTHLY
            )
        if "audits_per_month" in present:
            values["audits_per_month"] = v.get("audits_per_month") or 1
        return values

    def _plan_person_teams(self, number: int, key: str, v: dict[str, Any], teams, plan: _PeoplePlan) -> None:
        """One row's own team and teams managed, each when its column is present; an unknown team is a warning."""
        if "team" in self.present:
            name = v.get("team")
            if name and name.lower() not in teams:
                self.warn(
                    self.file,
                    number,
                    "team",
                    f"{_show(name)} is not a team in the product (import the caseload first); the person's "
                    "team is left as it is",
                )
            else:
                plan.team_links[key] = {teams[name.lower()].pk} if name else set()
        if "manages" in self.present:
            managed = []
            for name in v.get("manages") or []:
                team = teams.get(name.lower())
                if team is None:
                    self.warn(
                        self.file,
                        number,
                        "manages",
                        f"{_show(name)} is not a team in the product (import the caseload first); left out",
                    )
                else:
                    managed.append(team.pk)
            plan.manages[key] = managed

    def _plan_people(self, rows, teams, existing: dict[str, User]) -> _PeoplePlan:
        """People: which are new, which change (only what differs is written), and their teams."""
        plan = _PeoplePlan(fields=self._person_fields())
        for number, v in rows:
            key = v["username"].lower()
            user = existing.get(key)
            if user is not None and (user.is_superuser or user.is_staff):
                self.warn(
                    self.file,
                    number,
                    "username",
                    f"{_show(user.username)} is an administrator account; an import never changes one, so this row "
                    "is left out",
                )
                continue
            values = self._person_values(v)
            self._plan_person_teams(number, key, v, teams, plan)
            if user is None:
                user = User(username=v["username"], password=make_password(None), **values)
                plan.new_users.append(user)
            else:
                differs = {name for name in plan.fields if getattr(user, name) != values[name]}
                for name in differs:
                    setattr(user, name, values[name])
                if differs:
                    plan.changed.append(user)
                    plan.changed_fields |= differs
            plan.people[key] = (number, user)
        return plan

    def _plan_stopping(self, listed: set[str]) -> list[User]:
        """--full: a person missing from the file can no longer sign in (administrators are left alone)."""
        stopping: list[User] = []
        if self.full:
            for user in User.objects.filter(is_active=True, is_superuser=False, is_staff=False).iterator():
                if user.username.lower() not in listed:
                    user.is_active = False
                    stopping.append(user)
        return stopping

    def _write_people(self, plan: _PeoplePlan, stopping: list[User]) -> None:
        """The people written, new ones given their ids; in a dry run, stand-in ids instead."""
        new_users, changed = plan.new_users, plan.changed
        if not self.dry_run:
            if new_users:
                bulk_create_with_history(new_users, User, batch_size=WRITE_BATCH)
                for chunk in _chunks([u.username for u in new_users]):
                    by_name = dict(User.objects.filter(username__in=chunk).values_list("username", "pk"))
                    for user in new_users:
                        if user.username in by_name:
                            user.pk = by_name[user.username]
            if changed:
                bulk_update_with_history(changed, User, sorted(plan.changed_fields), batch_size=WRITE_BATCH)
            if stopping:
                bulk_update_with_history(stopping, User, ["is_active"], batch_size=WRITE_BATCH)
        else:
            for position, user in enumerate(new_users, start=1):
                user.pk = -position  # a stand-in id: nothing is written in a dry run

    def _plan_team_links(
        self, plan: _PeoplePlan, existing: dict[str, User], current_teams: dict[int, set[int]]
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], set[str]]:
        """Own teams (the admin's "teams"), replaced when the column is present.

        Returns the (person, team) links to remove and to add, and the lower-cased usernames of everyone updated,
        a change of own teams included.
        """
        updated_people = {user.username.lower() for user in plan.changed}
        removals: list[tuple[int, int]] = []
        additions: list[tuple[int, int]] = []
        for key, wanted in plan.team_links.items():
            user = plan.people[key][1]
            have = current_teams.get(user.pk, set()) if key in existing else set()
            if have != wanted:
                removals += [(user.pk, team_id) for team_id in have - wanted]
                additions += [(user.pk, team_id) for team_id in wanted - have]
                if key in existing:
                    updated_people.add(key)
        return removals, additions, updated_people

    def _write_teams(self, removals, additions, team_changes, teams: dict[str, Team]) -> None:
        """People's own teams, and each team's manager and head of service."""
        through = User.teams.through
        for user_id, team_id in removals:
            through.objects.filter(user_id=user_id, team_id=team_id).delete()
        through.objects.bulk_create([through(user_id=u, team_id=t) for u, t in additions], batch_size=WRITE_BATCH)
        if team_changes:
            changed_teams = []
            for team_pk, (manager, head) in team_changes.items():
                team = next(t for t in teams.values() if t.pk == team_pk)
                team.manager = manager
                team.head_of_service = head
                changed_teams.append(team)
            bulk_update_with_history(changed_teams, Team, ["manager", "head_of_service"])

    def _plan_managers(self, manages, people, teams, existing) -> dict[int, tuple[User | None, User | None]]:
        """Which teams change manager or head of service, and to whom; records the people concerned."""
        self._manager_people: set[str] = set()
        if not manages:
            return {}
        by_team: dict[int, list[str]] = defaultdict(list)
        for key, team_ids in manages.items():
            for team_id in team_ids:
                by_team[team_id].append(key)
        listed_pks = {user.pk for _, user in people.values() if user.pk}
        changes: dict[int, tuple[User | None, User | None]] = {}
        for team in teams.values():
            names = by_team.get(team.pk, [])
            # The person managing fewer teams is the team's manager; the other its head of service.
            names.sort(key=lambda key: (len(manages[key]), people[key][0]))
            for extra in names[2:]:
                self.warn(
                    self.file,
                    people[extra][0],
                    "manages",
                    f'"{team.name}" already has a manager and a head of service in this file; left out',
                )
            manager, head = team.manager_id, team.head_of_service_id
            new_manager = people[names[0]][1] if names else None
            new_head = people[names[1]][1] if len(names) > 1 else None
            want_manager = new_manager.pk if new_manager else (None if manager in listed_pks else manager)
            want_head = new_head.pk if new_head else (None if head in listed_pks else head)
            if new_manager is not None and new_head is None and head == new_manager.pk:
                want_head = None
            if (want_manager, want_head) != (manager, head):
                manager_user = new_manager if new_manager else (team.manager if want_manager else None)
                head_user = new_head if new_head else (team.head_of_service if want_head else None)
                changes[team.pk] = (manager_user, head_user)
                self._manager_people.update(key for key in names[:2] if key in existing)
        return changes


def import_kind(kind: str):
    return {"caseload": CaseloadImport, "staff": StaffImport}[kind]
