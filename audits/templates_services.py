"""Writes for the practice-area template the QA team maintains.

The template is versioned so that a change never rewrites old audits: an audit
points at the areas of the version it was allocated with. The QA team copies
the current version into a draft (`template_create_draft`), edits the draft
(`template_update_draft`), and publishes it (`template_publish`), after which
new allocations take it. A version that has been published is never edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from audits.models import PracticeArea, Programme, TemplateVersion, monthly_programme
from audits.template_selectors import template_current_number
from common.data_version import data_version_bump
from common.errors import ApplicationError
from people.models import User

SLUG_MAX = PracticeArea._meta.get_field("slug").max_length


class TemplateError(ApplicationError):
    """A change the template's rules do not allow; the message is shown to the QA team as it is."""


@dataclass(frozen=True)
class DraftArea:
    """One practice area as the QA team wants it in the draft. `id` is None for a new area."""

    id: int | None
    name: str
    guidance: str
    position: int


def _lock_draft(version: TemplateVersion) -> TemplateVersion:
    """Re-read the version under a row lock and refuse unless it is still an unpublished draft."""
    locked = TemplateVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None:
        raise TemplateError("This draft no longer exists: someone may have discarded it.")
    if locked.is_current or locked.number <= template_current_number(locked.programme):
        raise TemplateError(f"Version {locked.number} has been published and cannot be changed.")
    if locked.audits.exists():
        raise TemplateError(f"Version {locked.number} is already used by audits and cannot be changed.")
    return locked


@transaction.atomic
def template_create_draft(*, by: User, programme: Programme | None = None) -> TemplateVersion:
    """Copy the programme's current version, areas and guidance included, into a new unpublished version.

    A programme with no version yet (a new themed audit) starts from the monthly audit's current areas,
    which the QA team then edits into the programme's own questions.
    """
    programme = programme or monthly_programme()
    versions = TemplateVersion.objects.filter(programme=programme)
    current_number = template_current_number(programme)
    if versions.filter(number__gt=current_number).exists():
        raise TemplateError("A draft version already exists: edit it, publish it or discard it first.")
    current = versions.filter(is_current=True).first()
    if current is None and not programme.is_monthly:
        current = TemplateVersion.objects.filter(programme__kind=Programme.Kind.MONTHLY, is_current=True).first()
    next_number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        # A savepoint, so that losing a race with another QA officer leaves this transaction usable.
        with transaction.atomic():
            draft = TemplateVersion.objects.create(
                programme=programme,
                number=next_number,
                name=current.name if current else "Practice areas",
                is_current=False,
                created_by=by,
            )
    except IntegrityError as exc:
        raise TemplateError("Someone else has just started a draft version: open it from the list.") from exc
    if current is not None:
        PracticeArea.objects.bulk_create(
            PracticeArea(template=draft, slug=area.slug, name=area.name, guidance=area.guidance, order=area.order)
            for area in current.areas.all()
        )
    return draft


@transaction.atomic
def template_update_draft(*, version: TemplateVersion, name: str, areas: Sequence[DraftArea]) -> TemplateVersion:
    """Make the draft hold exactly `areas`, in position order: rename, reorder, add and remove in one step.

    Areas the list leaves out are removed. An area keeps its slug when renamed,
    because the slug is what ties "the same area" together across versions
    (reports and the tracker import's `area:SLUG` columns use it).
    """
    version = _lock_draft(version)
    name = name.strip()
    if not name:
        raise TemplateError("Give the version a name.")
    if not areas:
        raise TemplateError("A template needs at least one practice area.")
    seen_names: set[str] = set()
    for area in areas:
        key = area.name.strip().casefold()
        if not key:
            raise TemplateError("Every practice area needs a name.")
        if key in seen_names:
            raise TemplateError(f"Two practice areas are called “{area.name.strip()}”: give each a different name.")
        seen_names.add(key)

    existing = {area.pk: area for area in version.areas.all()}
    kept_ids = {area.id for area in areas if area.id is not None}
    if not kept_ids <= existing.keys():
        raise TemplateError("The draft changed while you were editing it: reload the page and try again.")
    PracticeArea.objects.filter(template=version).exclude(pk__in=kept_ids).delete()

    # Sort by the chosen position; equal positions keep the order they were listed in.
    ordered = sorted(enumerate(areas), key=lambda pair: (pair[1].position, pair[0]))
    used_slugs = {existing[pk].slug for pk in kept_ids}
    to_update: list[PracticeArea] = []
    to_create: list[PracticeArea] = []
    for order, (_, spec) in enumerate(ordered, start=1):
        if spec.id is not None:
            row = existing[spec.id]
            row.name, row.guidance, row.order = spec.name.strip(), spec.guidance.strip(), order
            to_update.append(row)
        else:
            slug = _unique_slug(spec.name, used_slugs)
            used_slugs.add(slug)
            to_create.append(
                PracticeArea(
                    template=version, slug=slug, name=spec.name.strip(), guidance=spec.guidance.strip(), order=order
                )
            )
    PracticeArea.objects.bulk_update(to_update, ["name", "guidance", "order"])
    PracticeArea.objects.bulk_create(to_create)
    data_version_bump()
    if version.name != name:
        version.name = name
        version.save(update_fields=["name"])
    return version


def _unique_slug(name: str, used: set[str]) -> str:
    base = slugify(name)[: SLUG_MAX - 4] or "area"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def template_publish(*, version: TemplateVersion, by: User) -> TemplateVersion:
    """Make the draft the current version: new allocations take it, audits already allocated keep theirs."""
    # Lock the current version too, so two officers publishing at once cannot both win.
    versions = TemplateVersion.objects.filter(programme_id=version.programme_id)
    list(versions.select_for_update().filter(Q(is_current=True) | Q(pk=version.pk)))
    version = _lock_draft(version)
    if not version.areas.exists():
        raise TemplateError("A template needs at least one practice area before it can be published.")
    # Clear the old current version first: the partial unique constraint allows only one at any moment.
    versions.filter(is_current=True).update(is_current=False)
    TemplateVersion.objects.filter(pk=version.pk).update(is_current=True)
    data_version_bump()
    version.is_current = True
    return version


@transaction.atomic
def template_discard_draft(*, version: TemplateVersion) -> None:
    """Throw away an unpublished draft and its areas."""
    version = _lock_draft(version)
    version.areas.all().delete()
    version.delete()
