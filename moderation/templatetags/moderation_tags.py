"""Template helpers for moderation pages and the moderation items of the role home panels."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html

from audits.models import NOT_GRADED, AreaGradeChoice
from moderation.models import Moderation
from people.permissions import has_role

register = template.Library()

# Area grades, and "not graded" as an overall grade where the programme allows it.
_LABELS = {**dict(AreaGradeChoice.choices), NOT_GRADED: "Not graded"}


@register.filter
def pct(value: Decimal | None) -> str:
    """A contract percentage for display: `25.0%`, or `no data` when the whole was 0."""
    if value is None:
        return "no data"
    return f"{value}%"


@register.filter
def month_label(key: str) -> str:
    """A contract month key `2026-07` as people read it: `Jul 2026`."""
    try:
        return datetime.datetime.strptime(key, "%Y-%m").strftime("%b %Y")
    except (TypeError, ValueError):
        return key


@register.filter
def grade_badge(key: str) -> str:
    """A grade as a labelled badge: the words carry the meaning, the colour only repeats it."""
    if not key:
        return format_html('<span class="text-body-secondary">{}</span>', "not graded")
    return format_html('<span class="grade grade-{}">{}</span>', key, _LABELS.get(key, key))


@register.simple_tag
def moderation_home(user, role: str) -> dict[str, int]:
    """The moderation figures for one role's home panel: one query, whatever the data size."""
    figures: dict[str, int] = {}
    if not has_role(user, role):
        return figures
    if role == "moderator":
        today = timezone.localdate()
        figures.update(
            Moderation.objects.filter(moderator=user, status=Moderation.Status.ASSIGNED).aggregate(
                to_moderate=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
            )
        )
    elif role == "auditor":
        figures["to_finalise"] = Moderation.objects.filter(
            audit__auditor=user, status=Moderation.Status.COMPLETED, acknowledged_at__isnull=True
        ).count()
    elif role == "quality":
        figures.update(
            Moderation.objects.aggregate(
                unassigned=Count("pk", filter=Q(status=Moderation.Status.ASSIGNED, moderator__isnull=True)),
                to_review=Count("pk", filter=Q(status=Moderation.Status.COMPLETED, reviewed_at__isnull=True)),
            )
        )
    return figures
