"""Writes for learning themes: the QA team's list (add, rename, retire) and the tags on an audit.

A theme is one row that keeps its id when renamed, so every audit tagged with it follows the
new name and the history (django-simple-history) shows what it was called before. Names are
unique whatever their case: "Chronologies" and "chronologies" are one theme.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audits.models import Audit, AuditTheme, Theme, ThemeKind
from common.data_version import data_version_bump
from people.models import User

NAME_MAX = Theme._meta.get_field("name").max_length
STRAND_MAX = Theme._meta.get_field("strand").max_length


class ThemeError(Exception):
    """A change to the themes that the rules do not allow; `field` names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def theme_name_clean(name: str) -> str:
    """The name as stored: trimmed, inner runs of spaces made one."""
    return " ".join((name or "").split())


def _check(*, name: str, strand: str, exclude_pk: int | None = None) -> tuple[str, str]:
    name = theme_name_clean(name)
    strand = (strand or "").strip()
    if not name:
        raise ThemeError("Give the theme a name.", field="name")
    if len(name) > NAME_MAX:
        raise ThemeError(f"Keep the name to {NAME_MAX} characters.", field="name")
    if len(strand) > STRAND_MAX:
        raise ThemeError(f"Keep the strand to {STRAND_MAX} characters.", field="strand")
    clash = Theme.objects.annotate(key=Lower("name")).filter(key=name.lower())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    existing = clash.first()
    if existing is not None:
        raise ThemeError(f'There is already a theme called "{existing.name}".', field="name")
    return name, strand


def theme_create(*, name: str, strand: str = "", by: User | None) -> Theme:
    name, strand = _check(name=name, strand=strand)
    theme = Theme(name=name, strand=strand)
    theme._history_user = by
    theme._change_reason = "Added"
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError as exc:  # two people adding the same name at once
        raise ThemeError("There is already a theme with this name.", field="name") from exc
    return theme


def theme_update(*, theme: Theme, name: str, strand: str, by: User | None) -> Theme:
    """Rename a theme or change its strand; audits tagged with it follow (same row)."""
    name, strand = _check(name=name, strand=strand, exclude_pk=theme.pk)
    if (theme.name, theme.strand) == (name, strand):
        return theme
    reason = f'Renamed from "{theme.name}"' if theme.name != name else "Strand changed"
    theme.name, theme.strand = name, strand
    theme._history_user = by
    theme._change_reason = reason
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError as exc:
        raise ThemeError("There is already a theme with this name.", field="name") from exc
    return theme


def theme_set_active(*, theme: Theme, active: bool, by: User | None) -> Theme:
    """Retire a theme (no longer offered on new audits; old audits keep it) or bring it back."""
    if theme.is_active == active:
        return theme
    theme.is_active = active
    theme._history_user = by
    theme._change_reason = "Brought back" if active else "Retired"
    theme.save()
    return theme


def themes_ensure(*, names: Iterable[str], by: User | None = None) -> dict[str, int]:
    """Theme ids by lower-cased name for `names`, creating the missing ones (for the importer; two queries).

    Matching is case-insensitive; a new theme takes the spelling of its first appearance.
    """
    wanted: dict[str, str] = {}
    for name in names:
        clean = theme_name_clean(name)
        if clean:
            wanted.setdefault(clean.lower(), clean)
    if not wanted:
        return {}
    ids = {
        key: pk
        for key, pk in Theme.objects.annotate(key=Lower("name")).filter(key__in=list(wanted)).values_list("key", "pk")
    }
    missing = [Theme(name=wanted[key]) for key in wanted if key not in ids]
    if missing:
        created = bulk_create_with_history(missing, Theme, default_user=by, default_change_reason="Imported")
        ids.update({theme.name.lower(): theme.pk for theme in created})
        if any(theme.pk is None for theme in created):  # databases that do not return ids from bulk inserts
            ids.update(Theme.objects.annotate(key=Lower("name")).filter(key__in=list(wanted)).values_list("key", "pk"))
    return ids


def audit_themes_set(
    *,
    audit: Audit,
    improvement: Iterable[int],
    strength: Iterable[int],
    confirmed_by: User | None = None,
) -> bool:
    """Make the audit's tags exactly these theme ids; True when anything changed.

    The auditor's saves pass no `confirmed_by`. The moderator passes themselves: every tag the
    audit keeps is then confirmed by them, including those they left as the auditor had them.
    """
    wanted = {(int(pk), ThemeKind.IMPROVEMENT.value) for pk in improvement}
    wanted |= {(int(pk), ThemeKind.STRENGTH.value) for pk in strength}
    existing = {(tag.theme_id, tag.kind): tag for tag in AuditTheme.objects.filter(audit=audit)}
    new_ids = {pk for pk, _kind in wanted - set(existing)}
    if new_ids and Theme.objects.filter(pk__in=new_ids, is_active=True).count() != len(new_ids):
        # The form offers only active themes (and those already on the audit); anything else is stale or forged.
        raise ThemeError("A theme you ticked has been retired or removed. Reload the page and tick again.")
    removed = [tag.pk for key, tag in existing.items() if key not in wanted]
    added = [
        AuditTheme(audit=audit, theme_id=pk, kind=kind, confirmed_by=confirmed_by)
        for pk, kind in sorted(wanted - set(existing))
    ]
    # Each tag's change is written with its history (the audit's history shows who tagged what); an audit
    # carries a handful of tags, so one delete each costs nothing.
    for tag in existing.values():
        if tag.pk in removed:
            tag.delete()
    if added:
        bulk_create_with_history(added, AuditTheme)
        data_version_bump()
    confirmed: list[AuditTheme] = []
    if confirmed_by is not None:
        confirmed = list(AuditTheme.objects.filter(audit=audit).exclude(confirmed_by=confirmed_by))
        for tag in confirmed:
            tag.confirmed_by = confirmed_by
        bulk_update_with_history(confirmed, AuditTheme, ["confirmed_by"])
        data_version_bump()
    return bool(removed or added or confirmed)
