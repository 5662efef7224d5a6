"""Reads for actions and Children of Concern: scopes, status in SQL, counts and the report's figures.

An action's status is derived from its dates on the day asked (contracts.md):
completed means completed on or before that day; overdue means not completed
and due before that day. `Action.status_on(day)` says it for one row; the Q
objects below say the same in SQL so that lists filter and count by status in
the database. Both must agree, and a test holds them together.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When

from actions.models import Action, ChildOfConcern
from audits.models import Audit
from audits.selectors import ReportScope, audit_scope_q, audits_visible_to, scope_q
from common.figures import percent
from common.periods import months_ending
from people.models import Team, User
from people.permissions import has_role

STATUS = Action.Status
# The report's order (contracts.md `actions`): overdue, completed late, completed on time, not yet due.
STATUS_ORDER = (STATUS.OVERDUE, STATUS.COMPLETED_LATE, STATUS.COMPLETED_ON_TIME, STATUS.NOT_YET_DUE)


# --- Action status as of a day, in SQL -------------------------------------------------------------------------


def completed_q(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}completed_on__isnull": False, f"{prefix}completed_on__lte": day})


def open_q(day: datetime.date, prefix: str = "") -> Q:
    """Not completed on or before `day` (a completion dated later did not exist yet)."""
    return Q(**{f"{prefix}completed_on__isnull": True}) | Q(**{f"{prefix}completed_on__gt": day})


def status_q(status: str, day: datetime.date) -> Q:
    if status == STATUS.COMPLETED_LATE:
        return completed_q(day) & Q(completed_on__gt=F("due_on"))
    if status == STATUS.COMPLETED_ON_TIME:
        return completed_q(day) & Q(completed_on__lte=F("due_on"))
    if status == STATUS.OVERDUE:
        return open_q(day) & Q(due_on__lt=day)
    if status == STATUS.NOT_YET_DUE:
        return open_q(day) & Q(due_on__gte=day)
    raise ValueError(f"Unknown action status {status!r}")


def status_expression(day: datetime.date) -> Case:
    return Case(
        *(When(status_q(status, day), then=Value(status.value)) for status in STATUS),
        output_field=CharField(),
    )


def with_status(queryset: QuerySet[Action], day: datetime.date) -> QuerySet[Action]:
    """Annotate `status` (an Action.Status value) as of `day`."""
    return queryset.annotate(status=status_expression(day))


def status_counts(queryset: QuerySet[Action], day: datetime.date) -> dict:
    """Total and one count per status as of `day`, in one query, with the contract's percentages."""
    counts = queryset.aggregate(
        total=Count("id"), **{status.value: Count("id", filter=status_q(status, day)) for status in STATUS}
    )
    figures = {"total": counts["total"]}
    for status in STATUS_ORDER:
        figures[status.value] = counts[status.value]
    for status in STATUS_ORDER:
        figures[f"{status.value}_percent"] = percent(counts[status.value], counts["total"])
    return figures


# --- Who sees what ------------------------------------------------------------------------------------------------


def actions_visible_to(user: User) -> QuerySet[Action]:
    """QA team: all; managers: their teams' (through the audit scope); everyone: the actions they own."""
    if not user.is_authenticated or not user.is_active:
        return Action.objects.none()
    return Action.objects.filter(audit_scope_q(user, prefix="audit__") | Q(owner=user))


def concern_scope_q(user: User, prefix: str = "") -> Q:
    """Children of Concern a user may read: QA team all; a team's manager and head of service theirs; nobody else.

    Narrower than the audit scope on purpose: the auditor and moderator of the
    audit see the audit, but a child's concerns go only to the people who answer for the child.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.is_quality:
        return Q()
    if user.is_manager:
        return Q(**{f"{prefix}audit__team__manager": user}) | Q(**{f"{prefix}audit__team__head_of_service": user})
    return Q(pk__in=[])


def concerns_visible_to(user: User) -> QuerySet[ChildOfConcern]:
    return ChildOfConcern.objects.filter(concern_scope_q(user))


def user_may_complete_action(*, user: User, action: Action) -> bool:
    """The owner, or a manager of the action's team or of a team the owner works in."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or action.owner_id == user.pk:
        return True
    if not has_role(user, "manager"):
        return False
    team = action.audit.team
    if user.pk in (team.manager_id, team.head_of_service_id):
        return True
    return Team.objects.filter(members=action.owner_id).filter(Q(manager=user) | Q(head_of_service=user)).exists()


def user_may_move_due(*, user: User, action: Action) -> bool:
    return has_role(user, "quality") or user_may_complete_action(user=user, action=action)


def user_may_reopen(*, user: User) -> bool:
    return has_role(user, "quality")


def user_may_respond(*, user: User, concern: ChildOfConcern) -> bool:
    """The team's manager or head of service answers for the child."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    team = concern.audit.team
    return has_role(user, "manager") and user.pk in (team.manager_id, team.head_of_service_id)


def user_may_review(*, user: User) -> bool:
    return has_role(user, "quality")


# --- Children of Concern --------------------------------------------------------------------------------------------


def concern_overdue_q(today: datetime.date) -> Q:
    return Q(status=ChildOfConcern.Status.AWAITING_RESPONSE, response_due_on__lt=today)


def concern_counts(queryset: QuerySet[ChildOfConcern], today: datetime.date) -> dict[str, int]:
    """The Child of Concern page's four figures (plus responses under review), in one query."""
    month_start = today.replace(day=1)
    return queryset.aggregate(
        open=Count("id", filter=~Q(status=ChildOfConcern.Status.RESOLVED)),
        awaiting=Count("id", filter=Q(status=ChildOfConcern.Status.AWAITING_RESPONSE)),
        overdue=Count("id", filter=concern_overdue_q(today)),
        under_review=Count("id", filter=Q(status=ChildOfConcern.Status.RESPONDED)),
        resolved_this_month=Count(
            "id",
            filter=Q(status=ChildOfConcern.Status.RESOLVED, resolved_on__gte=month_start, resolved_on__lte=today),
        ),
    )


def children_of_concern_by_month(
    months: list[datetime.date], as_of: datetime.date, queryset: QuerySet[ChildOfConcern] | None = None
) -> dict[datetime.date, dict]:
    """{"raised", "resolved", "open"} for each audit month in `months` (first days), in one query.

    A Child of Concern belongs to its audit's allocation month, as every figure
    in the report does; resolved counts those resolved on or before `as_of`.
    `queryset` narrows it to what a person may see (default: all, for the report).
    """
    base = ChildOfConcern.objects.all() if queryset is None else queryset
    rows = (
        base.filter(audit__month__in=months)
        .values("audit__month")
        .annotate(raised=Count("id"), resolved=Count("id", filter=Q(resolved_on__lte=as_of)))
    )
    found = {row["audit__month"]: row for row in rows}
    figures = {}
    for month in months:
        row = found.get(month, {"raised": 0, "resolved": 0})
        figures[month] = {"raised": row["raised"], "resolved": row["resolved"], "open": row["raised"] - row["resolved"]}
    return figures


def children_of_concern_figures(
    month: datetime.date, as_of: datetime.date, scope: ReportScope | None = None
) -> dict[str, int]:
    """contracts.md `children_of_concern`: raised for audits of `month`, resolved on or before `as_of`, open."""
    month = month.replace(day=1)
    return children_of_concern_by_month([month], as_of, ChildOfConcern.objects.filter(scope_q(scope, "audit__")))[month]


# --- The report's `actions` figure ----------------------------------------------------------------------------------


def action_figures(month: datetime.date, as_of: datetime.date, scope: ReportScope | None = None) -> dict:
    """contracts.md `actions`: over actions of audits in the 3 months ending at `month`, as of `as_of`.

    `older_open` counts actions of audits before those 3 months still open on `as_of`.
    """
    window = months_ending(month, 3)
    scoped = Action.objects.filter(scope_q(scope, "audit__"))
    figures = status_counts(scoped.filter(audit__month__gte=window[0], audit__month__lte=window[-1]), as_of)
    # "Audit before the window" said as "audit not from the window or later" (month is never null): the
    # open actions come from the indexes on completed_on and the few recent audits from the month index,
    # so no scan of every action and every audit in the history, which grew with each year kept.
    recent_audits = Audit.objects.filter(month__gte=window[0]).values("pk")
    figures["older_open"] = scoped.filter(open_q(as_of)).exclude(audit__in=recent_audits).count()
    return figures


# --- Search by child reference ---------------------------------------------------------------------------------------

SEARCH_LIMIT = 50


def child_reference_search(user: User, reference: str, today: datetime.date, limit: int = SEARCH_LIMIT) -> dict:
    """Audits, actions and Children of Concern of the children whose reference contains `reference`.

    Each kind is read through its own scope (`audits_visible_to`, `actions_visible_to`,
    `concerns_visible_to`), so a child outside the person's scope gives exactly the empty answer of a
    reference that does not exist: a search never reveals that a child is known elsewhere. Three
    queries whatever the data; each list holds at most `limit` rows, and `more` says whether any kind
    had more than that.
    """
    reference = reference.strip()
    matches = Q(child__case_ref__icontains=reference)
    audits = list(
        audits_visible_to(user)
        .filter(matches)
        .select_related("child", "team", "auditor")
        .order_by("-month", "child__case_ref", "pk")[: limit + 1]
    )
    actions = list(
        with_status(actions_visible_to(user).filter(audit__child__case_ref__icontains=reference), today)
        .select_related("audit__child", "audit__team", "owner")
        .order_by("audit__child__case_ref", "due_on", "pk")[: limit + 1]
    )
    concerns = list(
        concerns_visible_to(user)
        .filter(matches)
        .select_related("child", "audit__team")
        .order_by("-raised_on", "pk")[: limit + 1]
    )
    return {
        "audits": audits[:limit],
        "actions": actions[:limit],
        "concerns": concerns[:limit],
        "more": any(len(rows) > limit for rows in (audits, actions, concerns)),
        "total": min(len(audits), limit) + min(len(actions), limit) + min(len(concerns), limit),
    }
