"""Reads for learning themes: the QA team's list, the themes offered on an audit, an audit's tags."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from audits.models import Audit, AuditTheme, Theme, ThemeKind


def _count_per_theme(relation: str, *, distinct: bool = False) -> Subquery:
    """How many rows of `relation` one theme has, counted in a subquery of its own."""
    counted = Theme.objects.filter(pk=OuterRef("pk")).annotate(n=Count(relation, distinct=distinct)).values("n")
    return Subquery(counted, output_field=IntegerField())


def themes_with_use() -> QuerySet[Theme]:
    """Every theme, active first then by name, with how many audits and actions carry it (one query).

    Each count is a subquery of its own: counted in one join, the audits' tags and the actions multiplied each
    other (every tag times every action of the theme), which took a second on ten years of audits.
    """
    return Theme.objects.annotate(
        audits_tagged=_count_per_theme("audit_themes__audit", distinct=True),
        actions_tagged=_count_per_theme("actions"),
    ).order_by("-is_active", Lower("name"))


def themes_offered(*, audit: Audit | None = None) -> list[Theme]:
    """The themes a form offers: every active theme, and any retired one this audit already carries (one query).

    A retired theme is hidden from new audits but an old audit keeps it, so its form still shows it ticked.
    """
    keep = Q(is_active=True)
    if audit is not None and audit.pk is not None:
        keep |= Q(pk__in=AuditTheme.objects.filter(audit=audit).values("theme_id"))
        keep |= Q(pk__in=audit.actions.exclude(theme=None).values("theme_id"))
    return list(Theme.objects.filter(keep).order_by(Lower("name")))


def audit_theme_choices(*, audit: Audit) -> tuple[list[Theme], dict[str, list[int]]]:
    """`themes_offered` and `audit_theme_ids` together, in one query: the audit form's checklists and their ticks."""
    tagged = {
        kind: Exists(AuditTheme.objects.filter(audit=audit, theme=OuterRef("pk"), kind=kind))
        for kind in ThemeKind.values
    }
    keep = Q(is_active=True)
    for kind in ThemeKind.values:
        keep |= Q(**{f"tagged_{kind}": True})
    keep |= Q(pk__in=audit.actions.exclude(theme=None).values("theme_id"))
    themes = list(
        Theme.objects.annotate(**{f"tagged_{kind}": test for kind, test in tagged.items()})
        .filter(keep)
        .order_by(Lower("name"))
    )
    ticked = {kind: [t.pk for t in themes if getattr(t, f"tagged_{kind}")] for kind in ThemeKind.values}
    return themes, ticked


def audit_theme_ids(*, audit: Audit) -> dict[str, list[int]]:
    """The audit's tags as theme ids by kind: {"improvement": [...], "strength": [...]} (one query)."""
    tagged: dict[str, list[int]] = {kind: [] for kind in ThemeKind.values}
    for theme_id, kind in AuditTheme.objects.filter(audit=audit).values_list("theme_id", "kind"):
        tagged[kind].append(theme_id)
    return tagged


def audit_themes(*, audit: Audit) -> dict[str, list[AuditTheme]]:
    """The audit's tags with their themes, by kind, for showing on the audit (one query)."""
    tagged: dict[str, list[AuditTheme]] = {kind: [] for kind in ThemeKind.values}
    for tag in (
        AuditTheme.objects.filter(audit=audit).select_related("theme", "confirmed_by").order_by(Lower("theme__name"))
    ):
        tagged[tag.kind].append(tag)
    return tagged
