"""Reads for monthly allocation and exemptions: who is available, what is eligible, and the month's counts.

Each function runs a fixed number of queries whatever the number of
auditors, teams or children, and hands plain data to `audits.allocation`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from audits.allocation import (
    AuditorIn,
    ChildIn,
    ReauditIn,
    Rules,
    TeamIn,
    is_bimonthly_audit_month,
)
from audits.models import Audit, Child, Exemption, Grade, Policy
from audits.periods import add_months, month_end
from people.models import Team, User

# Allocations that mean the child is being, or has been, audited. Exempted
# allocations and nil returns do not: the child was never looked at.
ACTIVE_STATUSES = (Audit.Status.DRAFT, Audit.Status.SUBMITTED, Audit.Status.SENT_BACK)


def exemptions_covering_q(month: datetime.date) -> Q:
    """Active exemptions that cover `month`: its single-month ones and standing ones overlapping it."""
    standing = (
        Q(kind=Exemption.Kind.STANDING)
        & (Q(starts_on__isnull=True) | Q(starts_on__lte=month_end(month)))
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=month))
    )
    return Q(is_active=True) & (Q(kind=Exemption.Kind.SINGLE_MONTH, month=month) | standing)


def exemptions_for_month(month: datetime.date) -> QuerySet[Exemption]:
    return (
        Exemption.objects.filter(exemptions_covering_q(month))
        .select_related("user", "created_by")
        .order_by("user__last_name", "user__first_name", "user__username", "id")
    )


def exempt_user_ids(month: datetime.date) -> set[int]:
    return set(Exemption.objects.filter(exemptions_covering_q(month)).values_list("user_id", flat=True))


def is_exempt(user: User, month: datetime.date) -> bool:
    return Exemption.objects.filter(exemptions_covering_q(month), user=user).exists()


def own_team_ids_by_user(user_ids: list[int] | None = None) -> dict[int, set[int]]:
    """Teams each user belongs to, manages or heads (two queries)."""
    own: dict[int, set[int]] = {}
    memberships = User.teams.through.objects.all()
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=user_ids)
    for user_id, team_id in memberships.values_list("user_id", "team_id"):
        own.setdefault(user_id, set()).add(team_id)
    for team_id, manager_id, head_id in Team.objects.values_list("id", "manager_id", "head_of_service_id"):
        for user_id in (manager_id, head_id):
            if user_id is not None:
                own.setdefault(user_id, set()).add(team_id)
    return own


def available_auditor_rows(month: datetime.date) -> QuerySet[User]:
    """Active auditors who audit in `month`: not exempted, and bi-monthly auditors only in their months."""
    auditors = User.objects.filter(is_active=True, is_auditor=True, audits_per_month__gt=0).exclude(
        pk__in=Exemption.objects.filter(exemptions_covering_q(month)).values("user_id")
    )
    if not is_bimonthly_audit_month(month):
        auditors = auditors.exclude(audit_frequency=User.AuditFrequency.BIMONTHLY)
    return auditors.order_by("last_name", "first_name", "username")


def available_auditors(month: datetime.date, policy: Policy) -> list[AuditorIn]:
    rows = list(available_auditor_rows(month).values_list("id", "audits_per_month"))
    own = {} if policy.allow_own_team else own_team_ids_by_user([user_id for user_id, _ in rows])
    return [AuditorIn(id=user_id, slots=slots, own_team_ids=frozenset(own.get(user_id, ()))) for user_id, slots in rows]


@dataclass
class AllocationInputs:
    rules: Rules
    auditors: list[AuditorIn]
    teams: list[TeamIn]
    children: list[ChildIn]
    reaudits: list[ReauditIn]


def allocation_inputs(month: datetime.date, policy: Policy) -> AllocationInputs:
    """Everything the allocation rules need for `month`, in a fixed number of queries."""
    skip_from = add_months(month, -policy.skip_children_audited_within_months)
    returned = Q(submitted_on__isnull=False) & ~Q(status=Audit.Status.SENT_BACK)

    teams = [
        TeamIn(id=team_id, target=target, recent_returned=recent)
        for team_id, target, recent in Team.objects.filter(is_active=True)
        .annotate(
            recent=Count(
                "audits",
                filter=Q(audits__month__gte=add_months(month, -3), audits__month__lt=month)
                & Q(audits__submitted_on__isnull=False)
                & ~Q(audits__status=Audit.Status.SENT_BACK),
            )
        )
        .values_list("id", "monthly_target", "recent")
    ]

    # Per child: when last returned, when last allocated (being or been
    # audited), and whether it is already allocated this month.
    history = {
        row["child_id"]: row
        for row in Audit.objects.values("child_id").annotate(
            last_returned=Max("month", filter=returned),
            last_active=Max("month", filter=Q(status__in=ACTIVE_STATUSES)),
            this_month=Count("id", filter=Q(month=month)),
        )
    }

    children: list[ChildIn] = []
    open_children: dict[int, ChildIn] = {}
    for child_id, team_id, sw_id in Child.objects.filter(is_open=True, team__is_active=True).values_list(
        "id", "team_id", "social_worker_id"
    ):
        past = history.get(child_id)
        child = ChildIn(
            id=child_id,
            team_id=team_id,
            social_worker_id=sw_id,
            last_audited=past["last_returned"] if past else None,
        )
        open_children[child_id] = child
        if past and (past["this_month"] or (past["last_active"] and past["last_active"] >= skip_from)):
            continue
        children.append(child)

    # Re-audits: children whose audit exactly `reaudit_after_months` ago had
    # the final grade Inadequate, and who have not been allocated since. Only
    # that one month, so that importing years of history (never re-audited in
    # the product) does not flood a month's allocation with old re-audits.
    reaudit_month = add_months(month, -policy.reaudit_after_months)
    reaudits = [
        ReauditIn(child=open_children[child_id], inadequate_month=reaudit_month)
        for child_id in Audit.objects.filter(returned, final_grade=Grade.INADEQUATE, month=reaudit_month)
        .values_list("child_id", flat=True)
        .distinct()
        if child_id in open_children
        and not history[child_id]["this_month"]
        and history[child_id]["last_active"] == reaudit_month
    ]

    recent_social_workers = frozenset(
        Audit.objects.filter(
            returned,
            social_worker__isnull=False,
            month__gte=add_months(month, -policy.practitioner_audit_interval_months),
            month__lt=month,
        )
        .values_list("social_worker_id", flat=True)
        .distinct()
    )
    rules = Rules(
        month=month,
        practitioner_interval_months=policy.practitioner_audit_interval_months,
        recently_audited_social_worker_ids=recent_social_workers,
    )
    return AllocationInputs(
        rules=rules,
        auditors=available_auditors(month, policy),
        teams=teams,
        children=children,
        reaudits=reaudits,
    )


def month_returns_counts(month: datetime.date) -> dict[str, int]:
    """Planned, exempted, scheduled (planned - exempted) and returned allocations of `month`, counted in the DB."""
    counts = Audit.objects.filter(month=month).aggregate(
        planned=Count("id"),
        exempted=Count("id", filter=Q(status=Audit.Status.EXEMPTED)),
        returned=Count("id", filter=Q(submitted_on__isnull=False) & ~Q(status=Audit.Status.SENT_BACK)),
    )
    counts["scheduled"] = counts["planned"] - counts["exempted"]
    return counts
