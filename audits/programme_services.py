"""Writes for audit programmes: the QA team creates and edits them (name, kind, dates, owner, rules, findings)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from audits.models import Programme
from people.models import User

SLUG_MAX = Programme._meta.get_field("slug").max_length


class ProgrammeError(Exception):
    """A change the programme rules do not allow; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


EDITABLE = (
    "name",
    "kind",
    "starts_on",
    "ends_on",
    "owner",
    "moderation_rule",
    "sample_percent",
    "allows_not_graded",
    "findings_summary",
)


def _check(*, programme: Programme, values: dict) -> None:
    starts_on: datetime.date | None = values.get("starts_on")
    ends_on: datetime.date | None = values.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise ProgrammeError("The programme cannot end before it starts.", field="ends_on")
    owner: User | None = values.get("owner")
    if owner is not None and not (owner.is_quality and owner.is_active):
        raise ProgrammeError("The owner must be an active member of the QA team.", field="owner")
    if programme.is_monthly and values.get("kind", Programme.Kind.MONTHLY) != Programme.Kind.MONTHLY:
        raise ProgrammeError("The monthly audit stays the monthly audit.", field="kind")
    if not programme.is_monthly and values.get("kind") == Programme.Kind.MONTHLY:
        raise ProgrammeError("There is one monthly audit: choose another kind.", field="kind")
    if programme.is_monthly and values.get("name", programme.name) != programme.name:
        raise ProgrammeError("The monthly audit keeps its name (reports key their figures by it).", field="name")


def _unique_slug(name: str, *, exclude_pk: int | None) -> str:
    base = slugify(name)[: SLUG_MAX - 4] or "programme"
    taken = set(Programme.objects.exclude(pk=exclude_pk).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def programme_create(*, by: User, **values) -> Programme:
    """A new programme (never a second monthly audit). Its slug comes from its name and never changes."""
    programme = Programme(kind=values.get("kind") or Programme.Kind.THEMED)
    _check(programme=programme, values=values)
    for name in EDITABLE:
        if name in values:
            setattr(programme, name, values[name])
    programme.slug = _unique_slug(programme.name, exclude_pk=None)
    if programme.owner is None and by.is_quality:
        programme.owner = by
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError as exc:
        raise ProgrammeError("Another programme already has this name.", field="name") from exc
    return programme


def programmes_ensure(*, names: list[str]) -> dict[str, int]:
    """The ids of the programmes named (any letter case), creating a themed audit for a name not known yet.

    For the tracker import's `programme` column: a blank name means the monthly audit, and so does its name.
    Returns {lower-case name: id}.
    """
    known = {name.lower(): pk for pk, name in Programme.objects.values_list("pk", "name")}
    for name in names:
        key = name.strip().lower()
        if key and key not in known:
            programme = Programme.objects.create(
                name=name.strip(), slug=_unique_slug(name, exclude_pk=None), kind=Programme.Kind.THEMED
            )
            known[key] = programme.pk
    return known


@transaction.atomic
def programme_update(*, programme: Programme, **values) -> Programme:
    """Change what the QA team may change; the slug (in report addresses and commands) stays."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check(programme=programme, values=values)
    for name in EDITABLE:
        if name in values:
            setattr(programme, name, values[name])
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError as exc:
        raise ProgrammeError("Another programme already has this name.", field="name") from exc
    return programme
