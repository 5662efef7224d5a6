"""The report's learning themes (issue 14): the contract's `themes` block, the 12-month trend, the themes by team
and by service area, by improvement-plan strand, and the good practice the QA team recorded.

`theme_figures(audits)` takes the report's audit queryset (a month, a period, any scope) and counts,
over its *returned* audits, how many carry each theme as an area for improvement and as a strength:
two aggregate queries, however many audits. Sorting (most frequent first, then by theme name) is
done here on the few theme rows, so every database orders names alike (collations differ).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet

from audits.models import GOOD_PRACTICE_GRADES, Audit, AuditTheme, GoodPractice, Theme, ThemeKind
from common.figures import percent
from common.periods import month_key, months_ending

TREND_MONTHS = 12
TREND_TOP = 5
# The improvement themes the tables by team and by service area show as columns: the most frequent ones.
GROUP_TOP = 5


def _pct(part: int, whole: int) -> float | None:
    value = percent(part, whole)
    return None if value is None else float(value)


def _ranked(counts: dict[str, int], whole: int) -> list[dict[str, Any]]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"theme": name, "audits": n, "percent": _pct(n, whole)} for name, n in ordered]


def theme_figures(audits: QuerySet[Audit]) -> dict[str, list[dict[str, Any]]]:
    """contracts.md `themes`: {"improvement": [{"theme", "audits", "percent"}...], "strength": [...]}.

    Over the returned audits of `audits` that carry each theme; percent over those returned audits.
    """
    returned = audits.returned()
    whole = returned.count()
    counts: dict[str, dict[str, int]] = {kind: {} for kind in ThemeKind.values}
    # Run even when nothing was returned, so the report's query count is the same for every month.
    rows = (
        AuditTheme.objects.filter(audit__in=returned.values("pk"))
        .order_by()
        .values_list("kind", "theme__name")
        .annotate(n=Count("audit_id", distinct=True))
    )
    for kind, name, n in rows:
        counts[kind][name] = n
    return {kind: _ranked(counts[kind], whole) for kind in (ThemeKind.IMPROVEMENT, ThemeKind.STRENGTH)}


def theme_trend(
    audits: QuerySet[Audit], month: datetime.date, *, months: int = TREND_MONTHS, top: int = TREND_TOP
) -> dict[str, Any]:
    """The `top` improvement themes over the `months` months ending at `month`, counted month by month.

    `audits` is the report's scope over every month (the window is applied here). One query;
    {"months": ["YYYY-MM"...], "themes": [{"theme", "counts": [n per month], "total"}]}, most
    frequent over the window first.
    """
    window = months_ending(month, months)
    keys = [month_key(m) for m in window]
    rows = (
        AuditTheme.objects.filter(
            kind=ThemeKind.IMPROVEMENT,
            audit__in=audits.returned().filter(month__gte=window[0], month__lte=window[-1]).values("pk"),
        )
        .order_by()
        .values_list("theme__name", "audit__month")
        .annotate(n=Count("audit_id", distinct=True))
    )
    by_theme: dict[str, dict[str, int]] = {}
    for name, audit_month, n in rows:
        by_theme.setdefault(name, {})[month_key(audit_month)] = n
    ranked = sorted(by_theme.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:top]
    return {
        "months": keys,
        "themes": [
            {"theme": name, "counts": [per_month.get(k, 0) for k in keys], "total": sum(per_month.values())}
            for name, per_month in ranked
        ],
    }


def theme_groups(audits: QuerySet[Audit], *, top: int = GROUP_TOP) -> dict[str, Any]:
    """The `top` improvement themes of `audits`' returned audits, counted by team and by service area (one query).

    {"themes": [names, most frequent first], "team": [{"name", "counts": {theme: audits}}], "service_area":
    [...]}. The database counts audits per (team, service area, theme); an audit has one team and one
    service area, so adding those rows up by team, or by service area, still counts each audit once.
    """
    rows = list(
        AuditTheme.objects.filter(kind=ThemeKind.IMPROVEMENT, audit__in=audits.returned().values("pk"))
        .order_by()
        .values_list("audit__team__name", "audit__service_area__name", "theme__name")
        .annotate(n=Count("audit_id", distinct=True))
    )
    totals: dict[str, int] = {}
    by: dict[str, dict[str, dict[str, int]]] = {"team": {}, "service_area": {}}
    for team, area, theme, n in rows:
        totals[theme] = totals.get(theme, 0) + n
        for kind, name in (("team", team), ("service_area", area)):
            counts = by[kind].setdefault(name, {})
            counts[theme] = counts.get(theme, 0) + n
    themes = [name for name, _n in sorted(totals.items(), key=lambda item: (-item[1], item[0].lower()))[:top]]
    return {
        "themes": themes,
        **{
            kind: [
                {"name": name, "counts": {theme: counts.get(theme, 0) for theme in themes}}
                for name, counts in sorted(groups.items(), key=lambda item: item[0].lower())
                if any(counts.get(theme) for theme in themes)
            ]
            for kind, groups in by.items()
        },
    }


def theme_strands(audits: QuerySet[Audit]) -> list[dict[str, Any]]:
    """Each improvement-plan strand with its themes and how many returned audits carry one of them, as an area
    for improvement and as a strength (two queries): [{"strand", "themes": [names], "improvement", "strength"}].

    Every strand a theme names is listed, counted or not; themes without a strand are left out. Most
    areas for improvement first, then by strand.
    """
    strands: dict[str, dict[str, Any]] = {}
    for strand, name in Theme.objects.exclude(strand="").order_by().values_list("strand", "name"):
        entry = strands.setdefault(strand, {"strand": strand, "themes": [], "improvement": 0, "strength": 0})
        entry["themes"].append(name)
    rows = (
        AuditTheme.objects.filter(audit__in=audits.returned().values("pk"))
        .exclude(theme__strand="")
        .order_by()
        .values_list("theme__strand", "kind")
        .annotate(n=Count("audit_id", distinct=True))
    )
    for strand, kind, n in rows:
        if strand in strands:
            strands[strand][kind] = n
    for entry in strands.values():
        entry["themes"].sort(key=str.lower)
    return sorted(strands.values(), key=lambda e: (-e["improvement"], -e["strength"], e["strand"].lower()))


def good_practice_entries(audits: QuerySet[Audit]) -> list[dict[str, Any]]:
    """What made the difference on `audits`' returned audits graded Good or Outstanding, oldest month first, then
    by team (two queries): [{"audit_id", "month", "team", "service_area", "grade", "text", "themes"}].

    Nothing about the child (no name, no case reference): the report lists these for anyone to read.
    """
    good = audits.returned().filter(final_grade__in=GOOD_PRACTICE_GRADES).values("pk")
    records = list(GoodPractice.objects.filter(audit__in=good).select_related("audit__team", "audit__service_area"))
    # The tags in one query of their own, run even when there is no record, so the count never varies.
    tags: dict[int, list[str]] = {}
    for record_id, name in GoodPractice.themes.through.objects.filter(goodpractice__audit__in=good).values_list(
        "goodpractice_id", "theme__name"
    ):
        tags.setdefault(record_id, []).append(name)
    entries = [
        {
            "audit_id": record.audit_id,
            "month": month_key(record.audit.month),
            "month_label": f"{record.audit.month:%b %Y}",
            "team": record.audit.team.name,
            "service_area": record.audit.service_area.name,
            "grade": record.audit.get_final_grade_display(),
            "text": record.text,
            "themes": sorted(tags.get(record.pk, []), key=str.lower),
        }
        for record in records
    ]
    # Sorted here, not in SQL, so every database orders the team names alike (collations differ).
    return sorted(entries, key=lambda e: (e["month"], e["team"].lower(), e["audit_id"]))
