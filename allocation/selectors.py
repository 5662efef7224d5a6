"""Reads for monthly allocation and exemptions: who is available, what is eligible, and the month's counts.

Each function runs a fixed number of queries whatever the number of
auditors, teams or children, and hands plain data to `allocation.rules`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.utils import timezone

from allocation.models import Exemption, ReturnReminder
from allocation.rules import AuditorIn, ChildIn, ReauditIn, Rules, TeamIn, is_bimonthly_audit_month
from audits.models import Audit, Grade, Policy, Programme
from caseload.models import Child
from common.periods import add_months, month_end
from common.versioned_cache import cached_for_queryset
from people.models import Team, User

MONTHLY_KIND = Programme.Kind.MONTHLY

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

    # Per child: when last returned and last allocated (being or been audited) in the monthly audit, and
    # whether it is already allocated this month in any programme. A themed audit, dip sample or practice
    # week asks about one part of the file, on a cohort that can be hundreds of children: it does not stand
    # for the monthly audit's whole-file audit, so it neither keeps a child out of the monthly allocation
    # for `skip_children_audited_within_months` nor counts as "last audited". But no child is audited
    # twice in one month, and an Inadequate audit of any programme is re-audited (`last_active_any`).
    active = Q(status__in=ACTIVE_STATUSES)
    monthly = Q(programme__kind=Programme.Kind.MONTHLY)
    history = {
        row["child_id"]: row
        for row in Audit.objects.values("child_id").annotate(
            last_returned=Max("month", filter=returned & monthly),
            last_active=Max("month", filter=active & monthly),
            last_active_any=Max("month", filter=active),
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
        and history[child_id]["last_active_any"] == reaudit_month
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


def reaudited_audit_ids(month: datetime.date, child_ids: Iterable[int]) -> dict[int, int]:
    """For children proposed for a re-audit in `month`: the id of the audit each one re-audits, by child id.

    That is the child's latest returned audit before `month` whose final grade is Inadequate (the one that
    made the proposal). One query, whatever the number of children.
    """
    earlier: dict[int, int] = {}
    rows = (
        Audit.objects.returned()
        .filter(child_id__in=list(child_ids), final_grade=Grade.INADEQUATE, month__lt=month)
        .order_by("child_id", "-month", "-pk")
        .values_list("child_id", "pk")
    )
    for child_id, audit_id in rows:
        earlier.setdefault(child_id, audit_id)
    return earlier


def month_returns_counts(
    month: datetime.date, today: datetime.date | None = None, *, monthly_only: bool = False
) -> dict[str, int]:
    """Planned, exempted, scheduled (planned - exempted), returned and, as of `today`, overdue allocations of
    `month`, counted in the DB; with `monthly_only`, the monthly audit's alone (not a themed audit's that month)."""
    audits = Audit.objects.filter(month=month)
    if monthly_only:
        audits = audits.filter(programme__kind=MONTHLY_KIND)
    counts = audits.aggregate(
        planned=Count("id"),
        exempted=Count("id", filter=Q(status=Audit.Status.EXEMPTED)),
        returned=Count("id", filter=RETURNED_Q),
        overdue=Count("id", filter=overdue_q(today or timezone.localdate())),
    )
    counts["scheduled"] = counts["planned"] - counts["exempted"]
    return counts


# --- The month's returns, for the QA team's "this month" page ------------------------------------------------

# Allocations the auditor still has to return: in progress, or sent back to be revised.
OUTSTANDING_STATUSES = (Audit.Status.DRAFT, Audit.Status.SENT_BACK)
# Returned: submitted, and not sent back since (the report's definition).
RETURNED_Q = Q(submitted_on__isnull=False) & ~Q(status=Audit.Status.SENT_BACK)


def overdue_q(today: datetime.date) -> Q:
    return Q(status__in=OUTSTANDING_STATUSES, due_on__lt=today)


def _returns_aggregates(today: datetime.date) -> dict:
    overdue = overdue_q(today)
    return {
        "allocated": Count("id"),
        "exempted": Count("id", filter=Q(status=Audit.Status.EXEMPTED)),
        "returned": Count("id", filter=RETURNED_Q),
        "late": Count("id", filter=RETURNED_Q & Q(submitted_on__gt=F("due_on"))),
        "outstanding": Count("id", filter=Q(status__in=OUTSTANDING_STATUSES)),
        "overdue": Count("id", filter=overdue),
        # The oldest due date among the overdue ones: how many days the longest-overdue audit is late.
        "oldest_overdue": Min("due_on", filter=overdue),
        "nil_returns": Count("id", filter=Q(status=Audit.Status.NIL_RETURN)),
        "sent_back": Count("id", filter=Q(status=Audit.Status.SENT_BACK)),
    }


# The columns the returns tables sort by; "name" is the auditor's or the team's name, "days" the days overdue.
RETURNS_SORT_KEYS = (
    "name",
    "allocated",
    "exempted",
    "returned",
    "late",
    "overdue",
    "days",
    "nil_returns",
    "sent_back",
)
AUDITOR_NAME_FIELDS = ("auditor__last_name", "auditor__first_name", "auditor__username")
TEAM_NAME_FIELDS = ("team__name",)


def _returns_ordering(sort: str, name_fields: tuple[str, ...]) -> list[OrderBy]:
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    by_name = [F(name).asc() for name in name_fields]
    if key == "name":
        return [F(name).desc() for name in name_fields] if descending else by_name
    if key == "days":
        # More days overdue is an older due date. Nobody overdue counts as 0 days: first going up, last going down.
        oldest = F("oldest_overdue")
        primary = oldest.asc(nulls_last=True) if descending else oldest.desc(nulls_first=True)
    else:
        primary = F(key).desc() if descending else F(key).asc()
    return [primary, *by_name]


def _with_days(rows: list[dict], today: datetime.date) -> list[dict]:
    for row in rows:
        row["days_overdue"] = (today - row["oldest_overdue"]).days if row["oldest_overdue"] else 0
    return rows


def month_returns_summary(audits: QuerySet[Audit], today: datetime.date) -> dict:
    """The month's returns in one aggregate: allocated (planned), exempted, scheduled, returned, late, outstanding,
    overdue (and the longest-overdue audit's days), nil returns and sent back."""
    summary = audits.aggregate(**_returns_aggregates(today))
    summary["scheduled"] = summary["allocated"] - summary["exempted"]
    return _with_days([summary], today)[0]


def month_returns_by_auditor(audits: QuerySet[Audit], today: datetime.date, sort: str) -> list[dict]:
    """One row per auditor with the counts of `month_returns_summary`, sorted in the database (one query)."""
    rows = (
        audits.values("auditor_id", *AUDITOR_NAME_FIELDS, "auditor__email")
        .annotate(**_returns_aggregates(today))
        .order_by(*_returns_ordering(sort, AUDITOR_NAME_FIELDS))
    )
    return _with_days(list(rows), today)


def month_returns_by_programme(audits: QuerySet[Audit], today: datetime.date) -> list[dict]:
    """One row per programme with audits in the month, the monthly audit first (one query): the page counts
    every programme's audits, so none goes unchased; the monthly report counts the monthly audit's row alone."""
    monthly_first = Case(When(programme__kind=MONTHLY_KIND, then=Value(0)), default=Value(1))
    rows = (
        audits.values("programme_id", "programme__name", "programme__kind")
        .annotate(**_returns_aggregates(today))
        .order_by(monthly_first, "programme__name")
    )
    return _with_days(list(rows), today)


def month_returns_by_team(audits: QuerySet[Audit], today: datetime.date, sort: str) -> list[dict]:
    """One row per team of the allocated children, as `month_returns_by_auditor` (one query)."""
    rows = (
        audits.values("team_id", *TEAM_NAME_FIELDS)
        .annotate(**_returns_aggregates(today))
        .order_by(*_returns_ordering(sort, TEAM_NAME_FIELDS))
    )
    return _with_days(list(rows), today)


def month_audits_by_auditor(audits: QuerySet[Audit], today: datetime.date) -> dict[int, list[Audit]]:
    """Each auditor's audits of the month (child reference, status, days overdue), for the links beside their
    counts; one query, grouped here for display only."""
    grouped: dict[int, list[Audit]] = {}
    for audit in audits.select_related("child").order_by("child__case_ref", "id"):
        audit.days_overdue = (today - audit.due_on).days if audit.is_overdue_on(today) else 0
        grouped.setdefault(audit.auditor_id, []).append(audit)
    return grouped


def return_reminders_sent_on(month: datetime.date, day: datetime.date) -> dict[int, ReturnReminder]:
    """The reminders sent on `day` for `month`, by auditor id (one query)."""
    reminders = ReturnReminder.objects.filter(month=month, sent_on=day).select_related("sent_by")
    return {reminder.auditor_id: reminder for reminder in reminders}


def month_returns_figures(
    audits: QuerySet[Audit], month: datetime.date, today: datetime.date, auditor_sort: str, team_sort: str
) -> dict:
    """Everything the returns page counts for `audits` of `month` as of `today`: the summary, the rows by auditor
    (each with its audits and today's reminder), by team and by programme.

    Kept in the cache until the data changes (common/versioned_cache.py), keyed by the audits' SQL (the person's
    scope and the month) and the day and sorts: the page's six queries run once, not on every view.
    """

    def compute() -> dict:
        by_auditor = month_returns_by_auditor(audits, today, auditor_sort)
        audit_links = month_audits_by_auditor(audits, today)
        reminders = return_reminders_sent_on(month, today)
        for row in by_auditor:
            row["audits"] = audit_links.get(row["auditor_id"], [])
            row["reminder"] = reminders.get(row["auditor_id"])
        return {
            "summary": month_returns_summary(audits, today),
            "by_auditor": by_auditor,
            "by_team": month_returns_by_team(audits, today, team_sort),
            "by_programme": month_returns_by_programme(audits, today),
        }

    return cached_for_queryset("month-returns", audits, (month, today, auditor_sort, team_sort), compute)
