"""Status derivation, scopes and the report's figures (contracts.md `actions`, `children_of_concern`)."""

import datetime
from decimal import Decimal

import pytest

from actions.models import Action
from actions.selectors import (
    action_figures,
    actions_visible_to,
    children_of_concern_by_month,
    children_of_concern_figures,
    concern_counts,
    concerns_visible_to,
    months_ending,
    with_status,
)
from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from audits.tests.factories import AuditFactory
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


# --- Status from dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "completed_on", "day", "expected"),
    [
        (D(2026, 11, 20), None, D(2026, 11, 20), "not_yet_due"),  # due today is not overdue yet
        (D(2026, 11, 20), None, D(2026, 11, 21), "overdue"),  # the day after
        (D(2026, 11, 20), D(2026, 11, 20), D(2026, 11, 21), "completed_on_time"),  # completed on the due day
        (D(2026, 11, 20), D(2026, 11, 21), D(2026, 11, 21), "completed_late"),
        (D(2026, 11, 20), D(2026, 11, 25), D(2026, 11, 22), "overdue"),  # completed later than the day asked
        (D(2026, 11, 30), D(2026, 11, 25), D(2026, 11, 22), "not_yet_due"),
        (D(2026, 11, 30), D(2026, 11, 1), D(2026, 11, 22), "completed_on_time"),
    ],
)
def test_status_in_sql_agrees_with_status_on_for_every_case(due_on, completed_on, day, expected):
    action = ActionFactory(due_on=due_on, completed_on=completed_on)
    assert action.status_on(day) == expected
    assert with_status(Action.objects.filter(pk=action.pk), day).get().status == expected


def test_status_as_of_today_changes_as_the_clock_passes_the_due_date(time_machine):
    action = ActionFactory(due_on=D(2026, 11, 20))
    from django.utils import timezone

    for moment, expected in (
        (datetime.datetime(2026, 11, 20, 23, 30), "not_yet_due"),  # 23:30 in London is still the due day
        (datetime.datetime(2026, 11, 21, 0, 30), "overdue"),
    ):
        time_machine.move_to(moment.replace(tzinfo=datetime.UTC), tick=False)
        today = timezone.localdate()
        assert action.status_on(today) == expected
        assert with_status(Action.objects.all(), today).get().status == expected


# --- Who sees what ----------------------------------------------------------------------------------------------


def test_actions_scope_per_role():
    manager = ManagerFactory()
    managed = TeamFactory(manager=manager)
    other = TeamFactory()
    owner = UserFactory()
    auditor = AuditorFactory()
    moderator = ModeratorFactory()
    in_team = ActionFactory(audit__child__team=managed)
    owned = ActionFactory(audit__child__team=other, owner=owner)
    audited = ActionFactory(audit__child__team=other, audit__auditor=auditor)
    stranger = ActionFactory(audit__child__team=other)

    assert set(actions_visible_to(QualityFactory())) == {in_team, owned, audited, stranger}
    assert set(actions_visible_to(manager)) == {in_team}
    assert set(actions_visible_to(owner)) == {owned}
    assert set(actions_visible_to(auditor)) == {audited}
    assert set(actions_visible_to(moderator)) == set()
    assert set(actions_visible_to(UserFactory())) == set()


def test_a_quality_user_who_also_owns_actions_still_sees_all():
    quality = QualityFactory()
    mine = ActionFactory(owner=quality)
    other = ActionFactory()
    assert set(actions_visible_to(quality)) == {mine, other}


def test_concerns_are_seen_only_by_the_qa_team_and_the_team_manager_or_head_of_service():
    manager = ManagerFactory()
    head = ManagerFactory()
    team = TeamFactory(manager=manager, head_of_service=head)
    concern = ChildOfConcernFactory(audit__child__team=team)
    elsewhere = ChildOfConcernFactory()
    assert set(concerns_visible_to(QualityFactory())) == {concern, elsewhere}
    assert set(concerns_visible_to(manager)) == {concern}
    assert set(concerns_visible_to(head)) == {concern}
    # The auditor of the audit sees the audit, but not the child's concerns.
    assert set(concerns_visible_to(concern.audit.auditor)) == set()
    assert set(concerns_visible_to(ModeratorFactory())) == set()
    assert set(concerns_visible_to(UserFactory())) == set()


# --- The report's figures -------------------------------------------------------------------------------------------


def test_months_ending_crosses_the_year():
    assert months_ending(D(2027, 1, 15), 3) == [D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)]


def test_action_figures_follow_the_contract_on_a_hand_built_set():
    as_of = D(2026, 11, 30)
    sep, oct_, nov = D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1)
    # In the window (Sep-Nov): 2 overdue, 1 completed late, 3 on time, 2 not yet due = 8.
    ActionFactory(audit__month=sep, due_on=D(2026, 10, 15))
    ActionFactory(audit__month=nov, due_on=D(2026, 11, 29))
    ActionFactory(audit__month=oct_, due_on=D(2026, 10, 31), completed_on=D(2026, 11, 2))
    ActionFactory(audit__month=oct_, due_on=D(2026, 11, 30), completed_on=D(2026, 11, 30))
    ActionFactory(audit__month=sep, due_on=D(2026, 10, 1), completed_on=D(2026, 9, 20))
    ActionFactory(audit__month=nov, due_on=D(2026, 12, 10), completed_on=D(2026, 11, 20))
    ActionFactory(audit__month=nov, due_on=D(2026, 11, 30))  # due on as_of: not yet due
    ActionFactory(audit__month=nov, due_on=D(2026, 12, 20), completed_on=D(2026, 12, 5))  # completed after as_of
    # Earlier audits: two still open on as_of (one completed only after it), one closed.
    ActionFactory(audit__month=D(2025, 4, 1), due_on=D(2025, 5, 1))
    ActionFactory(audit__month=D(2026, 8, 1), due_on=D(2026, 9, 1), completed_on=D(2026, 12, 1))
    ActionFactory(audit__month=D(2026, 8, 1), due_on=D(2026, 9, 1), completed_on=D(2026, 9, 1))
    # A later audit is in neither figure.
    ActionFactory(audit__month=D(2026, 12, 1), due_on=D(2026, 12, 31))

    assert action_figures(nov, as_of) == {
        "total": 8,
        "overdue": 2,
        "completed_late": 1,
        "completed_on_time": 3,
        "not_yet_due": 2,
        "overdue_percent": Decimal("25.0"),
        "completed_late_percent": Decimal("12.5"),
        "completed_on_time_percent": Decimal("37.5"),
        "not_yet_due_percent": Decimal("25.0"),
        "older_open": 2,
    }


def test_action_figures_with_no_actions_give_null_percentages():
    figures = action_figures(D(2026, 11, 1), D(2026, 11, 30))
    assert figures["total"] == 0
    assert figures["overdue_percent"] is None and figures["not_yet_due_percent"] is None


def test_action_figures_take_a_constant_number_of_queries(django_assert_max_num_queries):
    for month in (D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1)):
        ActionFactory.create_batch(3, audit__month=month)
    with django_assert_max_num_queries(2):
        action_figures(D(2026, 11, 1), D(2026, 11, 30))


def test_children_of_concern_figures_count_by_audit_month_and_resolution_date():
    nov = D(2026, 11, 1)
    ChildOfConcernFactory(audit__month=nov, status="resolved", resolved_on=D(2026, 11, 28))
    ChildOfConcernFactory(audit__month=nov, status="resolved", resolved_on=D(2026, 12, 3))  # after as_of
    ChildOfConcernFactory(audit__month=nov, status="responded")
    ChildOfConcernFactory(audit__month=D(2026, 10, 1))  # another month
    assert children_of_concern_figures(nov, D(2026, 11, 30)) == {"raised": 3, "resolved": 1, "open": 2}
    assert children_of_concern_figures(D(2026, 11, 17), D(2026, 12, 31)) == {"raised": 3, "resolved": 2, "open": 1}
    assert children_of_concern_figures(D(2026, 8, 1), D(2026, 8, 31)) == {"raised": 0, "resolved": 0, "open": 0}


def test_children_of_concern_by_month_is_one_query(django_assert_num_queries):
    months = months_ending(D(2026, 11, 1), 6)
    for month in months:
        ChildOfConcernFactory(audit__month=month)
    with django_assert_num_queries(1):
        figures = children_of_concern_by_month(months, D(2026, 11, 30))
    assert [figures[m]["raised"] for m in months] == [1] * 6


def test_concern_page_counts(today):
    ChildOfConcernFactory(response_due_on=D(2026, 11, 20))  # awaiting, overdue
    ChildOfConcernFactory(response_due_on=D(2026, 11, 23))  # awaiting, in time
    ChildOfConcernFactory(status="responded")
    ChildOfConcernFactory(status="resolved", resolved_on=D(2026, 11, 2))
    ChildOfConcernFactory(status="resolved", resolved_on=D(2026, 10, 30))
    from actions.models import ChildOfConcern

    assert concern_counts(ChildOfConcern.objects.all(), today) == {
        "open": 3,
        "awaiting": 2,
        "overdue": 1,
        "under_review": 1,
        "resolved_this_month": 1,
    }


def test_audits_without_actions_do_not_count():
    AuditFactory(returned=True, month=D(2026, 11, 1))
    assert action_figures(D(2026, 11, 1), D(2026, 11, 30))["total"] == 0
