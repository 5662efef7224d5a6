"""Each allocation rule, through `month_plan_propose`; each test fails if its rule is removed."""

import datetime
from collections import Counter

import pytest

from allocation.rules import AuditorIn, ChildIn, Rules, TeamIn, allocate, due_date
from allocation.services import AllocationError, month_plan_propose
from allocation.tests.factories import ExemptionFactory
from audits.models import Audit, AuditKind, Grade, Policy
from audits.tests.factories import AuditFactory
from caseload.tests.factories import ChildFactory
from common.periods import add_months
from people.models import User
from people.tests.factories import AuditorFactory, QualityFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocation_today")]

DEC = datetime.date(2026, 12, 1)
JAN = datetime.date(2027, 1, 1)


@pytest.fixture
def quality():
    return QualityFactory()


def propose(quality, month=DEC, seed=1):
    plan = month_plan_propose(month=month, by=quality, seed=seed)
    return list(plan.proposals.select_related("auditor", "child__team").order_by("auditor_id", "child_id"))


def children(team, n, **kwargs):
    return [ChildFactory(team=team, **kwargs) for _ in range(n)]


def returned_audit(child, month, grade=Grade.GOOD, **kwargs):
    kwargs.setdefault("auditor_grade", grade)
    kwargs.setdefault("auditor", UserFactory())  # Not an auditor: the past audit must not add one to the pool.
    return AuditFactory(child=child, month=month, returned=True, final_grade=grade, **kwargs)


# --- Who is allocated -----------------------------------------------------------------------------


def test_each_available_auditor_gets_one_child(quality):
    auditors = AuditorFactory.create_batch(3)
    children(TeamFactory(), 10)
    lines = propose(quality)
    assert sorted(line.auditor_id for line in lines) == sorted(a.pk for a in auditors)


def test_an_auditor_set_to_two_audits_a_month_gets_two(quality):
    double = AuditorFactory(audits_per_month=2)
    single = AuditorFactory()
    children(TeamFactory(), 10)
    per_auditor = Counter(line.auditor_id for line in propose(quality))
    assert per_auditor == {double.pk: 2, single.pk: 1}


def test_bimonthly_auditors_audit_in_even_months_only(quality):
    bimonthly = AuditorFactory(audit_frequency=User.AuditFrequency.BIMONTHLY)
    monthly = AuditorFactory()
    children(TeamFactory(), 10)
    assert {line.auditor_id for line in propose(quality, month=DEC)} == {bimonthly.pk, monthly.pk}
    assert {line.auditor_id for line in propose(quality, month=JAN)} == {monthly.pk}
    assert {line.auditor_id for line in propose(quality, month=datetime.date(2027, 2, 1))} == {bimonthly.pk, monthly.pk}


def test_standing_exemptions_exclude_the_auditor(quality):
    exempt = AuditorFactory()
    ExemptionFactory(user=exempt)
    other = AuditorFactory()
    children(TeamFactory(), 5)
    assert {line.auditor_id for line in propose(quality)} == {other.pk}


def test_a_standing_exemption_that_ended_before_the_month_no_longer_applies(quality):
    back = AuditorFactory()
    ExemptionFactory(user=back, starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 11, 30))
    later = AuditorFactory()
    ExemptionFactory(user=later, starts_on=datetime.date(2027, 1, 1))
    children(TeamFactory(), 5)
    assert {line.auditor_id for line in propose(quality)} == {back.pk, later.pk}


def test_single_month_exemptions_exclude_the_auditor_only_in_that_month(quality):
    exempt = AuditorFactory()
    ExemptionFactory(user=exempt, single_month=True)  # December 2026
    children(TeamFactory(), 5)
    assert {line.auditor_id for line in propose(quality, month=DEC)} == set()
    assert {line.auditor_id for line in propose(quality, month=JAN)} == {exempt.pk}


def test_withdrawn_exemptions_do_not_exclude(quality):
    auditor = AuditorFactory()
    ExemptionFactory(user=auditor, is_active=False)
    children(TeamFactory(), 5)
    assert {line.auditor_id for line in propose(quality)} == {auditor.pk}


def test_inactive_users_and_non_auditors_are_not_allocated(quality):
    AuditorFactory(is_active=False)
    UserFactory(is_manager=True)
    active = AuditorFactory()
    children(TeamFactory(), 5)
    assert {line.auditor_id for line in propose(quality)} == {active.pk}


# --- Which children -------------------------------------------------------------------------------


def test_each_team_reaches_its_target_before_any_team_gets_more(quality):
    big, small, smaller = TeamFactory(), TeamFactory(), TeamFactory(monthly_target=1)
    children(big, 40)
    children(small, 5)
    children(smaller, 5)
    AuditorFactory.create_batch(5)
    per_team = Counter(line.child.team_id for line in propose(quality))
    assert per_team == {big.pk: 2, small.pk: 2, smaller.pk: 1}


def test_a_team_with_a_higher_target_gets_it_before_others_get_more_than_theirs(quality):
    high, low = TeamFactory(monthly_target=3), TeamFactory(monthly_target=1)
    children(high, 10)
    children(low, 10)
    AuditorFactory.create_batch(4)
    per_team = Counter(line.child.team_id for line in propose(quality))
    assert per_team == {high.pk: 3, low.pk: 1}


def test_extra_auditors_beyond_the_targets_are_spread_one_per_team(quality):
    teams = [TeamFactory() for _ in range(3)]
    children(teams[0], 40)
    children(teams[1], 5)
    children(teams[2], 5)
    AuditorFactory.create_batch(8)  # targets need 6; two more go to two different teams
    per_team = Counter(line.child.team_id for line in propose(quality))
    assert sorted(per_team.values()) == [2, 3, 3]


def test_with_fewer_auditors_than_targets_every_team_gets_one_before_any_gets_two(quality):
    teams = [TeamFactory() for _ in range(4)]
    children(teams[0], 40)
    for team in teams[1:]:
        children(team, 3)
    AuditorFactory.create_batch(4)
    per_team = Counter(line.child.team_id for line in propose(quality))
    assert per_team == {team.pk: 1 for team in teams}


def test_children_whose_social_worker_was_not_audited_for_six_months_come_first(quality):
    team = TeamFactory()
    covered_sw, due_sw = UserFactory(), UserFactory()
    # The covered social worker's practice was audited two months ago (through another child).
    returned_audit(ChildFactory(team=TeamFactory(), social_worker=covered_sw), datetime.date(2026, 10, 1))
    children(team, 12, social_worker=covered_sw)
    due_child = ChildFactory(team=team, social_worker=due_sw)
    AuditorFactory()
    for seed in range(1, 6):
        (line,) = propose(quality, seed=seed)
        assert line.child == due_child
        assert "social worker not audited in 6 months" in line.reason


def test_one_child_per_overdue_social_worker_before_a_second_of_the_same(quality):
    team = TeamFactory(monthly_target=3)
    first_sw, second_sw, covered_sw = UserFactory(), UserFactory(), UserFactory()
    returned_audit(ChildFactory(team=TeamFactory(), social_worker=covered_sw), datetime.date(2026, 9, 1))
    children(team, 4, social_worker=first_sw)
    children(team, 4, social_worker=second_sw)
    children(team, 10, social_worker=covered_sw)
    AuditorFactory.create_batch(2)
    lines = propose(quality)
    assert {line.child.social_worker_id for line in lines} == {first_sw.pk, second_sw.pk}


def test_children_audited_in_the_last_twelve_months_are_skipped(quality):
    team = TeamFactory()
    recent = ChildFactory(team=team)
    returned_audit(recent, datetime.date(2025, 12, 1))  # 12 months before December 2026: still within
    older = ChildFactory(team=team)
    returned_audit(older, datetime.date(2025, 11, 1))
    AuditorFactory.create_batch(2)
    lines = propose(quality)
    assert [line.child for line in lines] == [older]
    assert lines[0].reason == "not audited since Nov 2025"


def test_children_with_an_audit_in_progress_are_skipped(quality):
    team = TeamFactory()
    in_progress = ChildFactory(team=team)
    AuditFactory(child=in_progress, month=datetime.date(2026, 11, 1))
    free = ChildFactory(team=team)
    AuditorFactory.create_batch(2)
    assert [line.child for line in propose(quality)] == [free]


def test_children_never_audited_come_before_those_audited_longest_ago(quality):
    team = TeamFactory()
    for child in children(team, 6):
        returned_audit(child, datetime.date(2024, 5, 1))
    never = ChildFactory(team=team)
    AuditorFactory()
    for seed in range(1, 6):
        (line,) = propose(quality, seed=seed)
        assert line.child == never
        assert line.reason == "never audited"


def test_auditors_do_not_audit_their_own_teams_children(quality):
    own = TeamFactory()
    children(own, 5)
    AuditorFactory(teams=[own])
    own.manager = AuditorFactory()
    own.save()
    assert propose(quality) == []


def test_the_policy_can_allow_auditors_their_own_team(quality):
    policy = Policy.current()
    policy.allow_own_team = True
    policy.save()
    own = TeamFactory()
    children(own, 5)
    member = AuditorFactory(teams=[own])
    assert [line.auditor for line in propose(quality)] == [member]


def test_an_auditor_is_never_given_a_child_whose_social_worker_they_are(quality):
    team = TeamFactory()
    auditor = AuditorFactory()
    ChildFactory(team=team, social_worker=auditor)
    assert propose(quality) == []


def test_closed_cases_and_inactive_teams_are_not_proposed(quality):
    team = TeamFactory()
    ChildFactory(team=team, is_open=False)
    ChildFactory(team=TeamFactory(is_active=False))
    open_child = ChildFactory(team=team)
    AuditorFactory.create_batch(3)
    assert [line.child for line in propose(quality)] == [open_child]


def test_children_already_allocated_this_month_are_not_proposed_again(quality):
    team = TeamFactory()
    imported = ChildFactory(team=team)
    AuditFactory(child=imported, month=DEC, status=Audit.Status.NIL_RETURN, external_ref="T-1")
    free = ChildFactory(team=team)
    AuditorFactory.create_batch(2)
    assert [line.child for line in propose(quality)] == [free]


def test_inadequate_audits_are_re_audited_three_months_later_first(quality):
    team = TeamFactory()
    due = ChildFactory(team=team)
    returned_audit(due, datetime.date(2026, 9, 1), grade=Grade.INADEQUATE)
    too_soon = ChildFactory(team=team)
    returned_audit(too_soon, datetime.date(2026, 10, 1), grade=Grade.INADEQUATE)
    already_reaudited = ChildFactory(team=team)
    returned_audit(already_reaudited, datetime.date(2026, 9, 1), grade=Grade.INADEQUATE)
    AuditFactory(child=already_reaudited, month=datetime.date(2026, 11, 1), auditor=UserFactory())
    good = ChildFactory(team=team)
    returned_audit(good, datetime.date(2026, 9, 1), grade=Grade.GOOD)
    # Many never-audited children elsewhere compete for the single auditor.
    children(TeamFactory(), 20)
    AuditorFactory()
    (line,) = propose(quality)
    assert line.child == due
    assert line.kind == AuditKind.REAUDIT
    assert line.reason == "re-audit after Inadequate (Sep 2026)"


def test_re_audits_are_proposed_in_the_month_they_fall_due_only(quality):
    # An Inadequate audit from four months ago (say, imported history) is not
    # swept into this month: only the month exactly three months back is.
    child = ChildFactory(team=TeamFactory())
    returned_audit(child, datetime.date(2026, 8, 1), grade=Grade.INADEQUATE)
    AuditorFactory()
    assert propose(quality) == []
    assert [line.kind for line in propose(quality, month=datetime.date(2026, 11, 1))] == ["reaudit"]


def test_moderated_up_audits_are_not_re_audited(quality):
    child = ChildFactory(team=TeamFactory())
    # The auditor said Inadequate, the moderator Good: the final grade decides.
    returned_audit(child, datetime.date(2026, 9, 1), grade=Grade.GOOD, auditor_grade=Grade.INADEQUATE)
    AuditorFactory()
    assert propose(quality) == []


# --- Reproducibility and guards -------------------------------------------------------------------


def _snapshot(lines):
    return sorted((line.auditor_id, line.child_id, line.kind, line.reason) for line in lines)


def test_same_data_and_seed_give_the_same_proposal(quality):
    for _ in range(5):
        children(TeamFactory(), 8)
    AuditorFactory.create_batch(7)
    first = _snapshot(propose(quality, seed=4242))
    assert _snapshot(propose(quality, seed=4242)) == first
    assert any(_snapshot(propose(quality, seed=seed)) != first for seed in (1, 2, 3))


def test_the_seed_is_stored_on_the_plan_and_chosen_when_not_given(quality):
    AuditorFactory()
    children(TeamFactory(), 3)
    plan = month_plan_propose(month=DEC, by=quality)
    plan.refresh_from_db()
    lines = _snapshot(plan.proposals.all())
    assert plan.proposed_by == quality and plan.proposed_at is not None
    again = month_plan_propose(month=DEC, by=quality, seed=plan.seed)
    assert _snapshot(again.proposals.all()) == lines


def test_proposing_again_replaces_the_draft(quality):
    AuditorFactory.create_batch(2)
    children(TeamFactory(), 6)
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    month_plan_propose(month=DEC, by=quality, seed=2)
    assert plan.proposals.count() == 2


def test_a_past_month_cannot_be_planned(quality):
    with pytest.raises(AllocationError, match="has passed"):
        month_plan_propose(month=datetime.date(2026, 10, 1), by=quality)


# --- The in-memory rules directly -------------------------------------------------------------------------------------


def test_auditors_who_cannot_serve_a_needy_team_are_used_elsewhere_first():
    # Team 1 and team 2 each need one audit. Auditor 10 belongs to team 2;
    # auditor 11 belongs to no team. Whatever order the teams come in, auditor
    # 10 must take team 1, leaving auditor 11 for team 2.
    teams = [TeamIn(id=1, target=1), TeamIn(id=2, target=1)]
    kids = [ChildIn(id=100, team_id=1, social_worker_id=None), ChildIn(id=200, team_id=2, social_worker_id=None)]
    auditors = [AuditorIn(id=10, slots=1, own_team_ids=frozenset({2})), AuditorIn(id=11, slots=1)]
    for seed in range(20):
        result = allocate(rules=Rules(month=DEC), auditors=auditors, teams=teams, children=kids, seed=seed)
        assert {(line.auditor_id, line.child_id) for line in result.lines} == {(10, 100), (11, 200)}
        assert result.unfilled_auditor_ids == []


def test_auditors_left_without_a_child_are_reported():
    result = allocate(
        rules=Rules(month=DEC),
        auditors=[AuditorIn(id=10, slots=2)],
        teams=[TeamIn(id=1, target=2)],
        children=[ChildIn(id=100, team_id=1, social_worker_id=None)],
    )
    assert [line.child_id for line in result.lines] == [100]
    assert result.unfilled_auditor_ids == [10]


@pytest.mark.parametrize(
    ("month", "day", "expected"),
    [
        (datetime.date(2026, 11, 1), 25, datetime.date(2026, 11, 25)),  # a Wednesday
        (datetime.date(2028, 2, 1), 30, datetime.date(2028, 2, 29)),  # clamped to a leap February's last day
        (datetime.date(2026, 4, 1), 31, datetime.date(2026, 4, 30)),  # clamped to April's 30th, a Thursday
        (datetime.date(2026, 12, 1), 25, datetime.date(2026, 12, 24)),  # Christmas Day: the Thursday before
        (datetime.date(2027, 12, 1), 27, datetime.date(2027, 12, 24)),  # a substitute bank holiday, after a weekend
        (datetime.date(2027, 2, 1), 31, datetime.date(2027, 2, 26)),  # clamped to Sunday the 28th, then the Friday
        (datetime.date(2026, 7, 1), 25, datetime.date(2026, 7, 24)),  # a Saturday
        (datetime.date(2026, 4, 1), 3, datetime.date(2026, 4, 2)),  # Good Friday
        (datetime.date(2026, 5, 1), 25, datetime.date(2026, 5, 22)),  # the spring bank holiday Monday
        # No working day on or before New Year's Day in January: the first one after it instead.
        (datetime.date(2027, 1, 1), 1, datetime.date(2027, 1, 4)),
    ],
)
def test_due_date_is_the_policy_day_clamped_to_the_month_and_moved_off_non_working_days(month, day, expected):
    assert due_date(month, day) == expected


def test_add_months_crosses_years():
    assert add_months(DEC, 1) == JAN
    assert add_months(JAN, -12) == datetime.date(2026, 1, 1)
    assert add_months(DEC, -12) == datetime.date(2025, 12, 1)
