"""Reads for good practice: the record on one audit, the themes its form offers, and its history rows."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower

from audits.models import Audit, GoodPractice, Theme


def good_practice_of(audit: Audit) -> GoodPractice | None:
    """The audit's good-practice record with its themes (two queries), or None."""
    return GoodPractice.objects.filter(audit=audit).select_related("recorded_by").prefetch_related("themes").first()


def good_practice_themes_offered(record: GoodPractice | None) -> list[Theme]:
    """Every active theme, and any retired one the record already carries, by name (one query)."""
    keep = Q(is_active=True)
    if record is not None:
        keep |= Q(pk__in=GoodPractice.themes.through.objects.filter(goodpractice=record).values("theme_id"))
    return list(Theme.objects.filter(keep).order_by(Lower("name")))
