"""Reads for the auditor's journey: the read-only audit, its history, and the auditor's open audits."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import dateformat
from django.utils.text import capfirst

from audits.completion import EDITABLE_STATUSES
from audits.hooks import audit_history_sources
from audits.models import AreaGrade, Audit, AuditExport, AuditTheme, GoodPractice, PracticeArea, SendBack, ThemeKind
from audits.selectors import audits_visible_to
from audits.theme_selectors import audit_themes
from people.models import User

# Bookkeeping columns nobody needs to see in the history.
HIDDEN_AUDIT_FIELDS = {
    "id",
    "version",
    "last_saved_at",
    "submitted_at",
    "reminded_before_due_at",
    "reminded_on_due_at",
    "allocation_notified_at",
    "created_at",
}
# Records of one kind by one person closer together than this read as one event.
GROUP_GAP = datetime.timedelta(minutes=15)
DOWNLOADED = "Downloaded as"
TYPE_LABELS = {"+": "Created", "~": "Changed", "-": "Removed"}


def audit_readonly_context(*, audit: Audit) -> dict[str, Any]:
    """What `templates/audits/_audit_readonly.html` needs besides the audit: its area grades
    (of its own template version only) and its actions, each loaded in one query."""
    return {
        "area_grades": list(
            AreaGrade.objects.filter(audit=audit, area__template_id=audit.template_id).select_related("area")
        ),
        "actions": list(audit.actions.select_related("owner", "theme").order_by("due_on", "pk")),
        "themes": audit_themes(audit=audit),
    }


def audits_open_for(user: User) -> QuerySet[Audit]:
    """The auditor's allocations still to submit (drafts and send-backs), soonest due first."""
    return (
        audits_visible_to(user)
        .filter(auditor=user, status__in=EDITABLE_STATUSES)
        .select_related("child")
        .order_by("due_on", "pk")
    )


@dataclass
class Change:
    subject: str
    label: str
    old: str
    new: str


# One event of the timeline: when, who (user id), what happened, and what changed.
HistoryItem = tuple[datetime.datetime, int | None, str, list[Change]]


@dataclass
class HistorySource:
    """Rows of another app that belong in the audit's history (its actions): what `audit_history_sources`
    receivers return. `items` turns the records into timeline events once the people are loaded."""

    user_ids: set[int | None]
    items: Callable[[dict[int, User]], list[HistoryItem]]


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    what: str
    changes: list[Change] = field(default_factory=list)
    user_id: int | None = None


def _display(model_field, value: Any, users: dict[int, User]) -> str:
    if value is None or value == "":
        return ""
    if model_field.name == "month":
        return dateformat.format(value, "F Y")
    if model_field.name == "reaudit_of":
        return f"the earlier audit #{value}"
    if model_field.name == "pending_actions":
        return f"{len(value)} not yet complete" if value else ""
    if model_field.is_relation:
        user = users.get(value)
        return str(user) if user is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return dateformat.format(value, "j M Y, H:i")
    if isinstance(value, datetime.date):
        return dateformat.format(value, "j M Y")
    return str(value)


def history_changes(record, previous, *, subject: str, hidden: set[str], users: dict[int, User]) -> list[Change]:
    """What differs between two historical records (or, for the first one, what it set)."""
    fields = [f for f in type(record).tracked_fields if f.name not in hidden and f.editable]
    if previous is not None:
        changed = {c.field for c in record.diff_against(previous, foreign_keys_are_objs=False).changes}
        fields = [f for f in fields if f.name in changed]
    changes = []
    for model_field in fields:
        old = _display(model_field, getattr(previous, model_field.attname), users) if previous else ""
        new = _display(model_field, getattr(record, model_field.attname), users)
        if old != new:
            changes.append(Change(subject, capfirst(str(model_field.verbose_name)), old, new))
    return changes


def history_by_object(records: list) -> list[tuple[Any, Any]]:
    """Pair each historical record with the previous record of the same row."""
    last: dict[int, Any] = {}
    pairs = []
    for record in records:
        pairs.append((record, last.get(record.id)))
        last[record.id] = record
    return pairs


def audit_history(*, audit: Audit) -> list[HistoryEntry]:
    """The audit's history, newest first: allocation, draft sessions, submissions, send-backs,
    nil return, and later changes (moderation's grade, action tracking), with what changed.

    A fixed number of queries whatever the length of the history: each history table is read
    once, and the people and practice areas it mentions are fetched in one query each.
    """
    order = ("history_date", "history_id")
    audit_records = list(audit.history.order_by(*order))
    area_records = list(AreaGrade.history.filter(audit_id=audit.pk).order_by(*order))
    sources: list[HistorySource] = [answer for _, answer in audit_history_sources.send(sender=None, audit=audit)]
    sources.append(good_practice_history(audit=audit))
    sources.append(theme_tags_history(audit=audit))
    send_backs = list(SendBack.objects.filter(audit=audit))
    exports = list(AuditExport.objects.filter(audit=audit))

    user_ids = {r.history_user_id for r in [*audit_records, *area_records]}
    for source in sources:
        user_ids |= source.user_ids
    user_ids |= {r.auditor_id for r in audit_records} | {r.social_worker_id for r in audit_records}
    user_ids |= {s.by_id for s in send_backs} | {e.by_id for e in exports}
    user_ids.discard(None)
    users = User.objects.in_bulk(user_ids)
    area_names = dict(PracticeArea.objects.filter(pk__in={r.area_id for r in area_records}).values_list("pk", "name"))

    items: list[HistoryItem] = []
    for record, previous in history_by_object(audit_records):
        created = record.history_type == "+"
        what = record.history_change_reason or ("Allocated" if created else TYPE_LABELS[record.history_type])
        changes = history_changes(record, previous, subject="Audit", hidden=HIDDEN_AUDIT_FIELDS, users=users)
        if created:
            # The allocation itself: only the facts people look for.
            keep = {"Month", "Auditor", "Due on", "Status", "Legal status", "Social worker"}
            changes = [c for c in changes if c.label in keep]
        items.append((record.history_date, record.history_user_id, what, changes))
    for record, previous in history_by_object(area_records):
        subject = area_names.get(record.area_id, "Practice area")
        changes = history_changes(record, previous, subject=subject, hidden={"id", "audit", "area"}, users=users)
        if changes:
            items.append(
                (record.history_date, record.history_user_id, record.history_change_reason or "Changed", changes)
            )
    for source in sources:
        items.extend(source.items(users))
    for send_back in send_backs:
        reason = [Change("Send-back", "Reason", "", send_back.reason)]
        items.append((send_back.at, send_back.by_id, "Sent back", reason))
    for export in exports:
        # Each download is its own entry (never merged with the next), so the count of copies taken is plain.
        fmt = export.get_format_display()
        copy = [Change("Copy", "Document", "", f"The whole audit as a {fmt}, to attach to the child's record")]
        items.append((export.at, export.by_id, f"{DOWNLOADED} {fmt}", copy))

    items.sort(key=lambda item: item[0])
    entries: list[HistoryEntry] = []
    for when, user_id, what, changes in items:
        last = entries[-1] if entries else None
        mergeable = not what.startswith(DOWNLOADED)
        if (
            mergeable
            and last is not None
            and last.user_id == user_id
            and last.what == what
            and when - last.when <= GROUP_GAP
        ):
            last.when = when
            last.changes.extend(changes)
            continue
        who = str(users[user_id]) if user_id in users else "QA Portal (automatic)"
        entries.append(HistoryEntry(when=when, who=who, what=what, changes=list(changes), user_id=user_id))
    entries.reverse()
    return entries


LEARNING_THEMES = "Learning themes"


def theme_tags_history(*, audit: Audit) -> HistorySource:
    """The audit's learning-theme tags as history rows (one query): a theme ticked or unticked, as a strength or
    as an area for improvement, and the moderator's confirmation of the tags."""
    history_model = AuditTheme.history.model
    records = list(
        history_model.objects.filter(audit_id=audit.pk).select_related("theme").order_by("history_date", "history_id")
    )
    kinds = dict(ThemeKind.choices)

    def items(users: dict[int, User]) -> list[HistoryItem]:
        found: list[HistoryItem] = []
        for record, previous in history_by_object(records):
            label = kinds.get(record.kind, record.kind)
            name = record.theme.name if record.theme else "a removed theme"
            if record.history_type == "+":
                what, change = "Themes tagged", Change(LEARNING_THEMES, label, "", name)
            elif record.history_type == "-":
                what, change = "Themes tagged", Change(LEARNING_THEMES, label, name, "")
            elif previous is not None and record.confirmed_by_id != previous.confirmed_by_id:
                who = users.get(record.confirmed_by_id)
                what = "Themes confirmed"
                change = Change(LEARNING_THEMES, f"{name} ({label.lower()})", "", f"Confirmed by {who or 'someone'}")
            else:
                continue
            found.append((record.history_date, record.history_user_id, what, [change]))
        return found

    return HistorySource(
        user_ids={r.history_user_id for r in records} | {r.confirmed_by_id for r in records}, items=items
    )


GOOD_PRACTICE = "Good practice"


def good_practice_history(*, audit: Audit) -> HistorySource:
    """The good-practice record's changes (its text and its themes) as history rows: two queries.

    Each record of `HistoricalGoodPractice` carries the themes the row had at that moment (simple-history's
    m2m snapshot), read for every record at once.
    """
    history_model = GoodPractice.history.model
    records = list(history_model.objects.filter(audit_id=audit.pk).order_by("history_date", "history_id"))
    names: dict[int, list[str]] = {}
    if records:
        rows = history_model.themes.model.objects.filter(history__in=[r.history_id for r in records]).values_list(
            "history_id", "theme__name"
        )
        for history_id, name in rows:
            names.setdefault(history_id, []).append(name or "a removed theme")

    def items(_users: dict[int, User]) -> list[HistoryItem]:
        found: list[HistoryItem] = []
        for record, previous in history_by_object(records):
            changes = []
            before_text = previous.text if previous is not None else ""
            if record.text != before_text:
                changes.append(Change(GOOD_PRACTICE, "What made the difference", before_text, record.text))
            now = "; ".join(sorted(names.get(record.history_id, []), key=str.lower))
            before = "; ".join(sorted(names.get(previous.history_id, []), key=str.lower)) if previous else ""
            if now != before:
                changes.append(Change(GOOD_PRACTICE, "Learning themes", before, now))
            if record.history_type == "-":
                changes.append(Change(GOOD_PRACTICE, "Record", "Kept", "Removed"))
            if changes:
                found.append(
                    (
                        record.history_date,
                        record.history_user_id,
                        record.history_change_reason or GOOD_PRACTICE,
                        changes,
                    )
                )
        return found

    return HistorySource(user_ids={r.history_user_id for r in records}, items=items)
