"""Reads for themed audits, dip samples and practice weeks: a cohort's children, its sample, who may audit it,
and a practice week's returns and grades.

Each function runs a fixed number of queries whatever the size of the caseload or the sample.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from allocation.models import Cohort, SampleLine
from allocation.rules import AuditorIn, ChildIn
from allocation.selectors import RETURNED_Q, _returns_aggregates, exempt_user_ids, own_team_ids_by_user
from audits.models import GRADE_KEYS, NOT_GRADED, Audit, Policy, Programme
from caseload.models import Child
from people.models import User


@dataclass(frozen=True)
class CohortRules:
    """The rules that select a cohort's children. An empty rule selects everyone; a child meets every rule set."""

    legal_statuses: tuple[str, ...] = ()
    team_ids: tuple[int, ...] = ()
    service_area_ids: tuple[int, ...] = ()
    # Every flag chosen: "no_plan" and "repeat_cp" selects children with both.
    flag_ids: tuple[int, ...] = ()
    opened_after: datetime.date | None = None
    opened_before: datetime.date | None = None

    @classmethod
    def of(cls, cohort: Cohort | None) -> CohortRules:
        """A saved cohort's rules (three small queries for its teams, service areas and flags)."""
        if cohort is None:
            return cls()
        return cls(
            legal_statuses=tuple(cohort.legal_statuses),
            team_ids=tuple(cohort.teams.values_list("id", flat=True)),
            service_area_ids=tuple(cohort.service_areas.values_list("id", flat=True)),
            flag_ids=tuple(cohort.flags.values_list("id", flat=True)),
            opened_after=cohort.opened_after,
            opened_before=cohort.opened_before,
        )

    @property
    def is_empty(self) -> bool:
        return self == CohortRules()


def cohort_children(rules: CohortRules) -> QuerySet[Child]:
    """The open children the rules select. A date rule leaves out children whose case has no opening date."""
    children = Child.objects.filter(is_open=True)
    if rules.legal_statuses:
        children = children.filter(legal_status__in=rules.legal_statuses)
    if rules.team_ids:
        children = children.filter(team_id__in=rules.team_ids)
    if rules.service_area_ids:
        children = children.filter(team__service_area_id__in=rules.service_area_ids)
    if rules.opened_after is not None:
        children = children.filter(opened_on__gte=rules.opened_after)
    if rules.opened_before is not None:
        children = children.filter(opened_on__lt=rules.opened_before)
    child_flags = Child.flags.through.objects
    for flag_id in rules.flag_ids:
        # One IN (children with the flag) per flag chosen, a handful at most: the database reads the flag's
        # children from its index rather than probing every child, and no join multiplies the rows.
        children = children.filter(pk__in=child_flags.filter(flag_id=flag_id).values("child_id"))
    return children


def cohort_size(rules: CohortRules) -> int:
    return cohort_children(rules).count()


def cohort_for(programme: Programme) -> Cohort | None:
    return Cohort.objects.select_related("programme", "drawn_by", "confirmed_by").filter(programme=programme).first()


def sample_lines(cohort: Cohort | None) -> QuerySet[SampleLine]:
    """The sample's lines with their child, team and auditor, by auditor."""
    if cohort is None:
        return SampleLine.objects.none()
    return (
        SampleLine.objects.filter(cohort=cohort)
        .select_related("child__team", "auditor")
        .order_by("auditor__last_name", "auditor__first_name", "auditor__username", "child__case_ref", "id")
    )


def is_practice_week(programme: Programme) -> bool:
    return programme.kind == Programme.Kind.PRACTICE_WEEK


def programme_month(programme: Programme, today: datetime.date) -> datetime.date:
    """The month a programme's audits belong to: the month it starts in, or this month when it has no start."""
    return (programme.starts_on or today).replace(day=1)


def sample_people(programme: Programme) -> QuerySet[User]:
    """Who may be given a child of the programme: for a practice week, anyone active (senior leaders included);
    otherwise active auditors."""
    people = User.objects.filter(is_active=True)
    if not is_practice_week(programme):
        people = people.filter(is_auditor=True)
    return people.order_by("last_name", "first_name", "username")


def sample_pool(programme: Programme, policy: Policy, today: datetime.date) -> list[AuditorIn]:
    """Whom the sample is spread over when it is drawn: active auditors not exempt in the programme's month; for a
    practice week, everyone who audits, manages or heads a team as well. Each with their own teams (two queries)."""
    people = User.objects.filter(is_active=True)
    if is_practice_week(programme):
        people = people.filter(Q(is_auditor=True) | Q(is_manager=True) | Q(headed_teams__isnull=False)).distinct()
    else:
        people = people.filter(is_auditor=True).exclude(pk__in=exempt_user_ids(programme_month(programme, today)))
    ids = sorted(people.values_list("id", flat=True))
    own = {} if policy.allow_own_team else own_team_ids_by_user(ids)
    # Slots are not limited here: the sample is spread evenly over everyone.
    return [AuditorIn(id=user_id, slots=0, own_team_ids=frozenset(own.get(user_id, ()))) for user_id in ids]


def children_in(child_ids: list[int]) -> list[ChildIn]:
    return [
        ChildIn(id=child_id, team_id=team_id, social_worker_id=sw_id)
        for child_id, team_id, sw_id in Child.objects.filter(pk__in=child_ids).values_list(
            "id", "team_id", "social_worker_id"
        )
    ]


# --- A practice week's (or any programme's) returns and grades, by person and by team ---------------------------


def _returns_and_grades(today: datetime.date) -> dict:
    # "grade_outstanding", not "outstanding": that name already counts the audits still to be returned.
    grades = {f"grade_{key}": Count("id", filter=RETURNED_Q & Q(final_grade=key)) for key in (*GRADE_KEYS, NOT_GRADED)}
    return {**_returns_aggregates(today), **grades}


def programme_returns(programme: Programme, today: datetime.date) -> dict:
    """The programme's returns and final grades overall, by person and by team (three queries)."""
    audits = Audit.objects.filter(programme=programme)
    aggregates = _returns_and_grades(today)
    by_person = list(
        audits.values("auditor_id", "auditor__first_name", "auditor__last_name", "auditor__username")
        .annotate(**aggregates)
        .order_by("auditor__last_name", "auditor__first_name", "auditor__username")
    )
    by_team = list(audits.values("team_id", "team__name").annotate(**aggregates).order_by("team__name"))
    return {"total": audits.aggregate(**aggregates), "by_person": by_person, "by_team": by_team}


def programme_status_counts(programme: Programme) -> dict[str, int]:
    """How many of the programme's audits are in each state, and returned (one query)."""
    return Audit.objects.filter(programme=programme).aggregate(
        allocated=Count("id"),
        returned=Count("id", filter=RETURNED_Q),
        in_progress=Count("id", filter=Q(status__in=(Audit.Status.DRAFT, Audit.Status.SENT_BACK))),
        nil_returns=Count("id", filter=Q(status=Audit.Status.NIL_RETURN)),
        exempted=Count("id", filter=Q(status=Audit.Status.EXEMPTED)),
    )


def programme_audit_rows(programme: Programme) -> list[Audit]:
    """Every audit of the programme with its child, team and auditor, for the links (one query)."""
    return list(
        Audit.objects.filter(programme=programme)
        .select_related("child", "team", "auditor")
        .order_by("auditor__last_name", "auditor__first_name", "auditor__username", "child__case_ref")
    )
