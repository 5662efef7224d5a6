"""Writing the checked rows in bulk, in one transaction (`TrackerImport`); in a dry run, counting instead."""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterable, Iterator

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models.functions import Lower

from actions.models import Action
from actions.services import ConcernFacts, actions_import_many, children_of_concern_evaluate_many
from audits.models import AreaGrade, Audit, AuditTheme, Grade, Programme, TemplateVersion, Theme
from audits.programme_services import programmes_ensure
from audits.theme_services import themes_ensure
from caseload.models import Child
from common.bulk import WRITE_BATCH, BulkInsert
from common.data_version import data_version_bump
from imports.rows import (
    ALWAYS_AUDIT_FIELDS,
    MODERATION_FIELDS,
    OPTIONAL_AUDIT_FIELDS,
    THEME_COLUMNS,
    TrackerCheck,
    _AuditRow,
    _chunks,
    _concern_raised_on,
)
from moderation.models import Moderation
from people.models import ServiceArea, Team, User

# Writing in bulk ----------------------------------------------------------------------------------


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


class TrackerImport(TrackerCheck):
    """The checked rows written (or, in a dry run, counted), and the whole run in order."""

    def apply(self) -> None:
        # Stand-in ids for what a dry run would create, shared by every step in this order.
        self.temp_ids = iter(range(-1, -(10**9), -1))
        latest_team_rows = self.new_team_rows()
        self.apply_service_areas()
        programme_ids = self.apply_programmes()
        self.apply_teams(latest_team_rows)
        self.apply_users()
        self.apply_children()
        self.apply_audits(programme_ids)
        self.apply_reaudit_links()
        self.apply_moderations()
        self.apply_area_grades()
        self.apply_themes()
        self.apply_concerns()
        self.apply_actions()

    def new_team_rows(self) -> dict[str, _AuditRow]:
        """The row that makes each new team: its latest row, which decides its service area."""
        latest_team_rows: dict[str, _AuditRow] = {}
        for row in self.audit_rows:
            key = row.team.lower()
            if key not in self.team_ids:
                seen = latest_team_rows.get(key)
                if seen is None or row.month >= seen.month:
                    latest_team_rows[key] = row
        return latest_team_rows

    def apply_service_areas(self) -> None:
        counts = self.result.counts
        write = not self.dry_run
        temp_ids = self.temp_ids
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

    def apply_programmes(self) -> dict[str, int]:
        """Programmes (the optional `programme` column): blank means the monthly audit; a new name is created."""
        write = not self.dry_run
        temp_ids = self.temp_ids
        programme_ids: dict[str, int] = {}
        if "programme" in self.present:
            names = sorted({row.programme for row in self.audit_rows if row.programme})
            if write:
                programme_ids = programmes_ensure(names=names)
            else:
                programme_ids = {name.lower(): pk for pk, name in Programme.objects.values_list("pk", "name")}
                programme_ids.update(
                    {name.lower(): next(temp_ids) for name in names if name.lower() not in programme_ids}
                )
        return programme_ids

    def apply_teams(self, latest_team_rows: dict[str, _AuditRow]) -> None:
        counts = self.result.counts
        write = not self.dry_run
        temp_ids = self.temp_ids
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

    def apply_users(self) -> None:
        """Users: created inactive with an unusable password, flagged with the role the tracker shows."""
        counts = self.result.counts
        write = not self.dry_run
        temp_ids = self.temp_ids
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

    def apply_children(self) -> None:
        """Children: a new child takes the team and legal status of its latest row."""
        counts = self.result.counts
        write = not self.dry_run
        temp_ids = self.temp_ids
        latest_child_rows: dict[str, _AuditRow] = {}
        for row in self.audit_rows:
            if row.child_ref not in self.child_ids:
                seen = latest_child_rows.get(row.child_ref)
                if seen is None or row.month >= seen.month:
                    latest_child_rows[row.child_ref] = row
        counts["children"]["created"] = len(latest_child_rows)
        if write:
            BulkInsert(Child, ("case_ref", "team_id", "legal_status")).insert(
                (ref, self.team_ids[row.team.lower()], row.legal_status) for ref, row in latest_child_rows.items()
            )
            for chunk in _chunks(list(latest_child_rows)):
                self.child_ids.update(Child.objects.filter(case_ref__in=chunk).values_list("case_ref", "pk"))
        else:
            self.child_ids.update({ref: next(temp_ids) for ref in latest_child_rows})

    def apply_audits(self, programme_ids: dict[str, int]) -> None:
        counts = self.result.counts
        write = not self.dry_run
        temp_ids = self.temp_ids
        monthly_id = self.template.programme_id
        new_audits: list[Audit] = []
        changed_audits: list[Audit] = []
        changed_fields: set[str] = set()
        for row in self.audit_rows:
            audit = row.audit
            audit.team_id = self.team_ids[row.team.lower()]
            audit.service_area_id = self.service_area_ids[row.service_area.lower()]
            audit.child_id = self.child_ids[row.child_ref]
            audit.auditor_id = self.user_ids[row.auditor]
            old_programme_id = audit.programme_id
            if "programme" in self.present:
                audit.programme_id = programme_ids[row.programme.lower()] if row.programme else monthly_id
            if row.before is None:
                new_audits.append(audit)
                continue
            changed = {name for name, old in row.before.items() if getattr(audit, name) != old}
            if audit.programme_id != old_programme_id:
                changed.add("programme_id")
            if changed:
                changed_audits.append(audit)
                changed_fields |= changed
        counts["audits"]["created"] = len(new_audits)
        counts["audits"]["updated"] = len(changed_audits)
        if write:
            columns = ("external_ref", "template_id", "programme_id", *ALWAYS_AUDIT_FIELDS, *OPTIONAL_AUDIT_FIELDS)
            values_of = operator.attrgetter(*columns)
            BulkInsert(Audit, columns).insert(values_of(audit) for audit in new_audits)
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

    def apply_reaudit_links(self) -> None:
        """Link each re-audit to the audit its reaudit_of names, once every audit of the file has its id.

        A file without the column leaves every link alone; a blank cell clears it ("not recorded").
        """
        if "reaudit_of" not in self.present or self.dry_run:
            return
        ids = {row.ref: row.audit.pk for row in self.audit_rows}
        ids.update({ref: pk for ref, (pk, _) in self.earlier_audits.items()})
        changed = []
        for row in self.audit_rows:
            earlier_id = ids[row.reaudit_of] if row.reaudit_of else None
            if row.audit.reaudit_of_id != earlier_id:
                row.audit.reaudit_of_id = earlier_id
                changed.append(row.audit)
        if changed:
            Audit.objects.bulk_update(changed, ["reaudit_of"], batch_size=WRITE_BATCH)

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
            BulkInsert(Moderation, columns).insert(values_of(moderation) for moderation in new)
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
            BulkInsert(AreaGrade, ("audit_id", "area_id", "grade")).insert(new_grades())
            AreaGrade.objects.bulk_update(changed, ["grade"], batch_size=WRITE_BATCH)
            for chunk in _chunks(removed):
                AreaGrade.objects.filter(pk__in=chunk).delete()
        else:
            for _ in new_grades():
                pass
        counts["updated"] = len(changed)
        counts["removed"] = len(removed)

    def apply_themes(self) -> None:
        """The learning-theme tags of the rows, for the theme columns the file has (contracts.md section 1).

        Names are matched whatever their case and created if new (`audits.theme_services.themes_ensure`,
        two queries); each audit's tags of a kind whose column is present become exactly the row's, with
        the rows' existing tags read in chunks and the new ones inserted in bulk.
        """
        kinds = [kind for kind, column in THEME_COLUMNS.items() if column in self.present]
        if not kinds:
            return
        counts = self.result.counts
        counts["themes"] = {"created": 0, "updated": 0, "removed": 0}
        counts["theme_tags"] = {"created": 0, "updated": 0, "removed": 0}
        # In file order, so a new theme takes the spelling of its first appearance.
        names = list(
            dict.fromkeys(name for row in self.audit_rows for kind in kinds for name in row.themes.get(kind, []))
        )
        if self.dry_run:
            lowered = sorted({name.lower() for name in names})
            theme_ids = {}
            for chunk in _chunks(lowered):
                theme_ids.update(
                    Theme.objects.annotate(key=Lower("name")).filter(key__in=chunk).values_list("key", "pk")
                )
            missing = [key for key in lowered if key not in theme_ids]
            counts["themes"]["created"] = len(missing)
            theme_ids.update({key: -i for i, key in enumerate(missing, start=1)})  # stand-ins: nothing is written
        else:
            before = Theme.objects.count()
            theme_ids = themes_ensure(names=names)
            counts["themes"]["created"] = Theme.objects.count() - before
        existing: dict[int, set[tuple[int, str]]] = {}
        tag_ids: dict[tuple[int, int, str], int] = {}
        updated_audits = [row.audit.pk for row in self.audit_rows if row.before is not None]
        for chunk in _chunks(updated_audits):
            for pk, audit_id, theme_id, kind in AuditTheme.objects.filter(
                audit_id__in=chunk, kind__in=kinds
            ).values_list("pk", "audit_id", "theme_id", "kind"):
                existing.setdefault(audit_id, set()).add((theme_id, kind))
                tag_ids[(audit_id, theme_id, kind)] = pk
        new: list[tuple[int, int, str]] = []
        removed: list[int] = []
        for row in self.audit_rows:
            audit_id = row.audit.pk
            wanted = {(theme_ids[name.lower()], kind) for kind in kinds for name in row.themes.get(kind, [])}
            have = existing.get(audit_id, set())
            new += [(audit_id, theme_id, kind) for theme_id, kind in sorted(wanted - have)]
            removed += [tag_ids[(audit_id, theme_id, kind)] for theme_id, kind in have - wanted]
        counts["theme_tags"]["created"], counts["theme_tags"]["removed"] = len(new), len(removed)
        if not self.dry_run:
            for chunk in _chunks(removed):
                AuditTheme.objects.filter(pk__in=chunk).delete()
            BulkInsert(AuditTheme, ("audit_id", "theme_id", "kind")).insert(new)

    def apply_concerns(self) -> None:
        counts = self.result.counts["children_of_concern"]
        facts = []
        for row in self.audit_rows:
            audit = row.audit
            concern = self.existing_concerns.get(audit.pk) if row.before is not None else None
            raised_on = None
            if concern is None and audit.final_grade == Grade.INADEQUATE:
                raised_on = _concern_raised_on(audit, row.moderation) or self.today
            facts.append(
                ConcernFacts(audit=audit, existing=concern, raised_on=raised_on, resolved_on=row.coc_resolved_on)
            )
        # The product's one rule, in bulk; historic concerns were handled outside the product, so none is e-mailed.
        new, changed = children_of_concern_evaluate_many(
            audits=facts,
            resolved_known="coc_resolved_on" in self.present,
            now=self.now,
            write=not self.dry_run,
            keep_ids=False,
            batch_size=WRITE_BATCH,
        )
        counts["created"], counts["updated"] = len(new), len(changed)

    def apply_actions(self) -> None:
        counts = self.result.counts["actions"]
        write = not self.dry_run
        audit_ids = {row.ref: row.audit.pk for row in self.audit_rows}
        audit_ids.update(self.other_audit_ids)
        new: list[tuple] = []  # values of IMPORTED_ACTION_COLUMNS
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
            actions_import_many(rows=new)
            Action.objects.bulk_update(changed, fields, batch_size=WRITE_BATCH)

    # The whole run.

    def run(self) -> None:
        self.template = TemplateVersion.objects.filter(is_current=True, programme__kind="monthly").first()
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
        self.check_reaudits()
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
            # The rows went in by bulk statements, which send no signals: cached reports must be recomputed.
            data_version_bump()
