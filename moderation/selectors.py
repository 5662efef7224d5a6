"""Reads for moderation: queues, the sample, the panel and the moderator-effect figures.

The figures follow contracts.md exactly, because the monthly report (reports app)
calls these same functions:
- an audit belongs to its allocation month (`Audit.month`);
- "moderated" = a returned audit of that month whose Moderation is COMPLETED;
- upgraded / downgraded compare the moderator's grade with the auditor's by
  `GRADE_RANK`, computed in the database (imported moderations may carry no
  stored outcome, so the stored `outcome` column is not trusted for figures);
- percentages through `common.figures.percent` (half away from zero, None for 0).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThan, LessThan

from audits.models import GRADE_KEYS, GRADE_RANK, Audit, Grade
from audits.selectors import ReportScope, audit_scope_q, scope_q
from common.figures import percent
from common.periods import month_key, month_start, months_ending
from moderation.models import Moderation
from people.models import User
from people.permissions import has_role

EFFECT_MONTHS = 5
COMPLETED = Moderation.Status.COMPLETED


# Grade comparison in the database.


def grade_rank(field: str) -> Case:
    """The GRADE_RANK of a grade column as an SQL expression (0 for a blank grade)."""
    return Case(
        *(When(**{field: grade.value}, then=Value(rank)) for grade, rank in GRADE_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


class Ranks:
    """Comparisons of the auditor's and the moderator's grade, as SQL conditions.

    Built from expressions rather than aliases so they work in `aggregate()` as well as
    in `values().annotate()` and `filter()`. A blank grade ranks 0 and never counts.
    """

    def __init__(self, *, audit_prefix: str, moderation_prefix: str):
        self.primary = grade_rank(f"{audit_prefix}auditor_grade")
        self.moderated = grade_rank(f"{moderation_prefix}grade")
        self.upgraded = Q(GreaterThan(self.primary, 0)) & Q(GreaterThan(self.moderated, self.primary))
        self.downgraded = Q(GreaterThan(self.moderated, 0)) & Q(LessThan(self.moderated, self.primary))
        self.agreed = Q(GreaterThan(self.primary, 0)) & Q(Exact(self.moderated, self.primary))
        # Of the audits the moderator graded Inadequate, those the auditor had graded higher.
        self.moderator_inadequate = Q(**{f"{moderation_prefix}grade": Grade.INADEQUATE})
        self.inadequate_auditor_higher = self.moderator_inadequate & Q(GreaterThan(self.primary, 1))

    def outcome(self) -> Case:
        """The outcome computed from the two grades."""
        return Case(
            When(self.upgraded, then=Value(Moderation.Outcome.UPGRADED.value)),
            When(self.downgraded, then=Value(Moderation.Outcome.DOWNGRADED.value)),
            When(self.agreed, then=Value(Moderation.Outcome.AGREED.value)),
            default=Value(""),
            output_field=CharField(),
        )


# On Audit rows (the figures) and on Moderation rows (the panel).
AUDIT_RANKS = Ranks(audit_prefix="", moderation_prefix="moderation__")
MODERATION_RANKS = Ranks(audit_prefix="audit__", moderation_prefix="")


def moderated_audits(months: list[datetime.date] | None = None, scope: ReportScope | None = None) -> QuerySet[Audit]:
    """Returned audits whose moderation is completed (contracts.md "moderated"), within a report's scope if given."""
    queryset = Audit.objects.returned().filter(scope_q(scope), moderation__status=COMPLETED)
    if months is not None:
        queryset = queryset.filter(month__in=months)
    return queryset


def latest_moderated_month() -> datetime.date | None:
    """The latest allocation month with a moderated audit, or None: where the panel and effect pages open.

    The current month usually has nothing moderated yet (its audits are still being written), so opening
    there would show an empty page.
    """
    return moderated_audits().aggregate(latest=Max("month"))["latest"]


# Contract figures (reports reuse these).


def moderator_effect(month: datetime.date, scope: ReportScope | None = None) -> list[dict[str, Any]]:
    """Per month, oldest first, for the 5 months ending at `month` (contracts.md `moderator_effect`)."""
    months = months_ending(month, EFFECT_MONTHS)
    rows = {
        row["month"]: row
        for row in moderated_audits(months, scope)
        .values("month")
        .annotate(
            moderated=Count("pk"),
            upgraded=Count("pk", filter=AUDIT_RANKS.upgraded),
            downgraded=Count("pk", filter=AUDIT_RANKS.downgraded),
            moderator_inadequate=Count("pk", filter=AUDIT_RANKS.moderator_inadequate),
            inadequate_auditor_higher=Count("pk", filter=AUDIT_RANKS.inadequate_auditor_higher),
        )
        .order_by()
    }
    result = []
    for first_day in months:
        row = rows.get(first_day, {})
        moderated = row.get("moderated", 0)
        result.append(
            {
                "month": month_key(first_day),
                "moderated": moderated,
                "upgraded_percent": percent(row.get("upgraded", 0), moderated),
                "downgraded_percent": percent(row.get("downgraded", 0), moderated),
                "inadequate_downgraded_percent": percent(
                    row.get("inadequate_auditor_higher", 0), row.get("moderator_inadequate", 0)
                ),
            }
        )
    return result


def moderation_summary(
    month: datetime.date, scope: ReportScope | None = None, *, through: datetime.date | None = None
) -> dict[str, Any]:
    """contracts.md `moderation`: moderated_percent over returned, downgraded_percent over moderated.

    For `month`, or summed over the months from `month` to `through` (a period report, contracts.md
    section 3), within the report's scope.
    """
    is_moderated = Q(moderation__status=COMPLETED)
    figures = (
        Audit.objects.returned()
        .filter(scope_q(scope), month__gte=month_start(month), month__lte=month_start(through or month))
        .aggregate(
            returned=Count("pk"),
            moderated=Count("pk", filter=is_moderated),
            agreed=Count("pk", filter=is_moderated & AUDIT_RANKS.agreed),
            upgraded=Count("pk", filter=is_moderated & AUDIT_RANKS.upgraded),
            downgraded=Count("pk", filter=is_moderated & AUDIT_RANKS.downgraded),
        )
    )
    return {
        "returned": figures["returned"],
        "moderated": figures["moderated"],
        "moderated_percent": percent(figures["moderated"], figures["returned"]),
        "agreed": figures["agreed"],
        "upgraded": figures["upgraded"],
        "downgraded": figures["downgraded"],
        "downgraded_percent": percent(figures["downgraded"], figures["moderated"]),
    }


def primary_vs_moderated(month: datetime.date, scope: ReportScope | None = None) -> dict[str, Any]:
    """contracts.md `primary_vs_moderated`: the auditors' grades beside the moderators' for the month."""
    aggregates = {"moderated": Count("pk")}
    for key in GRADE_KEYS:
        aggregates[f"primary_{key}"] = Count("pk", filter=Q(auditor_grade=key))
        aggregates[f"final_{key}"] = Count("pk", filter=Q(moderation__grade=key))
    figures = moderated_audits([month_start(month)], scope).aggregate(**aggregates)
    moderated = figures["moderated"]

    def side(prefix: str) -> dict[str, dict[str, Any]]:
        counts = {key: figures[f"{prefix}_{key}"] for key in GRADE_KEYS}
        return {"counts": counts, "percent": {key: percent(counts[key], moderated) for key in GRADE_KEYS}}

    return {"moderated": moderated, "primary": side("primary"), "final": side("final")}


def awaiting_finalisation(
    as_of: datetime.date, month: datetime.date | None = None, scope: ReportScope | None = None
) -> list[dict[str, Any]]:
    """contracts.md `awaiting_finalisation`: per month up to `month`, moderated audits not finalised by `as_of`.

    `month` defaults to the month of `as_of`. A moderation recorded after `as_of` was not
    yet there to finalise on that day, so it is left out (a blank moderated_on, from an old
    tracker, counts as moderated in time).
    """
    last_month = month_start(month or as_of)
    rows = (
        Audit.objects.returned()
        .filter(scope_q(scope), moderation__status=COMPLETED, month__lte=last_month)
        .filter(Q(moderation__moderated_on__lte=as_of) | Q(moderation__moderated_on__isnull=True))
        .filter(Q(finalised_on__isnull=True) | Q(finalised_on__gt=as_of))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    return [{"month": month_key(row["month"]), "count": row["count"]} for row in rows]


def auditor_change_rates(month: datetime.date, months: int = EFFECT_MONTHS) -> list[dict[str, Any]]:
    """Per auditor, over the `months` months ending at `month`: how often moderation changed their grade.

    Most-changed first, so the QA team can see whom to support; auditors with no
    moderated audit in the window are not listed.
    """
    rows = (
        moderated_audits(months_ending(month, months))
        .values("auditor", "auditor__first_name", "auditor__last_name", "auditor__username")
        .annotate(
            moderated=Count("pk"),
            upgraded=Count("pk", filter=AUDIT_RANKS.upgraded),
            downgraded=Count("pk", filter=AUDIT_RANKS.downgraded),
        )
        .order_by()
    )
    result = []
    for row in rows:
        name = f"{row['auditor__first_name']} {row['auditor__last_name']}".strip() or row["auditor__username"]
        changed = row["upgraded"] + row["downgraded"]
        result.append(
            {
                "auditor_id": row["auditor"],
                "auditor": name,
                "moderated": row["moderated"],
                "upgraded": row["upgraded"],
                "downgraded": row["downgraded"],
                "changed": changed,
                "changed_percent": percent(changed, row["moderated"]),
                "upgraded_percent": percent(row["upgraded"], row["moderated"]),
                "downgraded_percent": percent(row["downgraded"], row["moderated"]),
            }
        )
    result.sort(key=lambda r: (-(r["changed_percent"] or Decimal(0)), -r["moderated"], r["auditor"]))
    return result


# Lists for pages.


def moderations_visible_to(user: User) -> QuerySet[Moderation]:
    """Moderations a user may open: QA team all; a moderator those assigned to them and still in the
    sample; an auditor the completed moderations of their own audits (the feedback). Managers get nothing here.
    """
    if has_role(user, "quality"):
        return Moderation.objects.all()
    role_q = Q(pk__in=[])
    if user.is_moderator:
        # Not once the QA team has removed it from the sample (reassigning already changes `moderator`).
        role_q |= Q(moderator=user) & ~Q(status=Moderation.Status.REMOVED)
    if user.is_auditor:
        role_q |= Q(audit__auditor=user, status=COMPLETED)
    return Moderation.objects.filter(audit_scope_q(user, prefix="audit__")).filter(role_q)


def _listing(queryset: QuerySet[Moderation]) -> QuerySet[Moderation]:
    return queryset.select_related("audit__child", "audit__team", "audit__auditor", "moderator")


def moderation_queue(user: User) -> QuerySet[Moderation]:
    """What a moderator still has to moderate, oldest assignment first."""
    return _listing(Moderation.objects.filter(moderator=user, status=Moderation.Status.ASSIGNED)).order_by(
        "assigned_at", "pk"
    )


def moderations_recently_completed_by(user: User, limit: int = 10) -> QuerySet[Moderation]:
    return _listing(Moderation.objects.filter(moderator=user, status=COMPLETED)).order_by("-moderated_on", "-pk")[
        :limit
    ]


def feedback_for_auditor(user: User) -> QuerySet[Moderation]:
    """An auditor's moderated audits, those still to finalise first."""
    return _listing(Moderation.objects.filter(audit__auditor=user, status=COMPLETED)).order_by(
        F("acknowledged_at").asc(nulls_first=True), "-moderated_on", "-pk"
    )


def sample_for_month(month: datetime.date) -> QuerySet[Moderation]:
    """Every moderation of a month's audits (including removed ones), for the QA team's sample page."""
    return _listing(Moderation.objects.filter(audit__month=month_start(month))).order_by(
        "status", "audit__team__name", "audit__child__case_ref", "pk"
    )


def audits_addable_to_sample(month: datetime.date) -> QuerySet[Audit]:
    """Returned audits of the month not currently in the sample (never sampled, or removed)."""
    return (
        Audit.objects.returned()
        .filter(month=month_start(month))
        .exclude(moderation__status__in=[Moderation.Status.ASSIGNED, COMPLETED])
        .select_related("child", "team", "auditor")
        .order_by("team__name", "child__case_ref", "pk")
    )


def moderators_by_load(month: datetime.date, *, for_auditor_id: int | None = None) -> QuerySet[User]:
    """Active moderators with their load for the month, least loaded first (ties by username).

    month_auditors: distinct auditors whose audits of the month they moderate;
    month_audits: those audits; open_audits: their whole queue still to moderate;
    has_this_auditor: audits of `for_auditor_id` in the month they already have.
    Each count is a subquery on the moderator's own moderations (indexed by moderator and status), not one join
    of every moderation they ever had: with years of history that join grew with each moderator's past.
    """
    theirs = Moderation.objects.filter(moderator=OuterRef("pk")).order_by().values("moderator")
    in_month = theirs.filter(audit__month=month_start(month)).exclude(status=Moderation.Status.REMOVED)

    def count(queryset: QuerySet[Moderation], field: str = "pk", distinct: bool = False) -> Coalesce:
        counted = queryset.annotate(n=Count(field, distinct=distinct)).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return (
        User.objects.filter(is_moderator=True, is_active=True)
        .annotate(
            month_auditors=count(in_month, "audit__auditor", distinct=True),
            month_audits=count(in_month),
            open_audits=count(theirs.filter(status=Moderation.Status.ASSIGNED)),
            has_this_auditor=count(in_month.filter(audit__auditor=for_auditor_id)),
        )
        .order_by("month_auditors", "month_audits", "open_audits", "username")
    )


def disagreements(month: datetime.date) -> QuerySet[Moderation]:
    """Completed moderations of the month's returned audits where the moderator's grade differs."""
    returned = Audit.objects.returned().filter(month=month_start(month))
    return (
        _listing(
            Moderation.objects.filter(status=COMPLETED, audit__in=returned).filter(
                MODERATION_RANKS.upgraded | MODERATION_RANKS.downgraded
            )
        )
        .select_related("reviewed_by")
        .annotate(derived_outcome=MODERATION_RANKS.outcome())
        .order_by("audit__team__name", "audit__child__case_ref", "pk")
    )


def awaiting_review() -> QuerySet[Moderation]:
    """Moderated audits the Head of Quality has not yet checked (the triple lock), oldest moderation first."""
    return _listing(Moderation.objects.filter(status=COMPLETED, reviewed_at__isnull=True)).order_by(
        "moderated_on", "pk"
    )
