"""The daily job: reminders, escalation and digests, each sent once (running the job twice sends nothing twice)."""

import datetime

import pytest
from django.core import mail

from actions.models import ManagerDigest
from actions.services import action_move_due
from actions.tasks import actions_daily
from actions.tests.conftest import at
from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from audits.models import Audit, Policy
from people.tests.factories import ManagerFactory, QualityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def team():
    return TeamFactory(manager=ManagerFactory(username="tm"), head_of_service=ManagerFactory(username="hos"))


def run_on(time_machine, day):
    time_machine.move_to(at(day, hour=7), tick=False)
    return actions_daily()


def sent_to(username):
    return [m for m in mail.outbox if f"{username}@example.org" in m.to]


def test_owner_is_reminded_seven_days_before_due_once(time_machine, team):
    owner = UserFactory(username="owner")
    due_in_7 = ActionFactory(audit__child__team=team, owner=owner, due_on=D(2026, 11, 28))
    ActionFactory(audit__child__team=team, owner=owner, due_on=D(2026, 11, 29))  # 8 days: not yet
    run_on(time_machine, D(2026, 11, 21))
    run_on(time_machine, D(2026, 11, 21))
    (email,) = sent_to("owner")
    assert email.subject == "Audit actions due soon"
    assert due_in_7.description in email.body and f"/actions/{due_in_7.pk}/" in email.body
    due_in_7.refresh_from_db()
    assert due_in_7.reminded_before_due_at is not None


def test_the_reminder_window_follows_the_policy(time_machine, team):
    Policy.objects.update_or_create(pk=1, defaults={"action_reminder_days_before": 3})
    ActionFactory(audit__child__team=team, owner=UserFactory(username="owner"), due_on=D(2026, 11, 25))
    run_on(time_machine, D(2026, 11, 21))
    assert sent_to("owner") == []
    run_on(time_machine, D(2026, 11, 22))
    assert len(sent_to("owner")) == 1


def test_on_the_day_it_becomes_overdue_owner_and_manager_are_told_once(time_machine, team):
    owner = UserFactory(username="owner")
    action = ActionFactory(audit__child__team=team, owner=owner, due_on=D(2026, 11, 20))
    run_on(time_machine, D(2026, 11, 20))  # the due day itself: only "due soon"
    assert [m.subject for m in sent_to("owner")] == ["Audit actions due soon"]
    mail.outbox.clear()
    run_on(time_machine, D(2026, 11, 21))
    run_on(time_machine, D(2026, 11, 21))
    run_on(time_machine, D(2026, 11, 22))
    assert [m.subject for m in sent_to("owner")] == ["Audit actions now overdue"]
    manager_mails = [m for m in sent_to("tm") if "Weekly digest" not in m.subject]
    assert [m.subject for m in manager_mails] == ["Your team's audit actions are now overdue"]
    assert action.description in manager_mails[0].body
    assert sent_to("hos") == []  # not escalated yet


def test_one_email_per_person_lists_all_their_actions(time_machine, team):
    owner = UserFactory(username="owner")
    first = ActionFactory(audit__child__team=team, owner=owner, due_on=D(2026, 11, 24))
    second = ActionFactory(audit__child__team=TeamFactory(), owner=owner, due_on=D(2026, 11, 26))
    run_on(time_machine, D(2026, 11, 21))
    (email,) = sent_to("owner")
    assert first.description in email.body and second.description in email.body


def test_head_of_service_hears_of_actions_overdue_by_more_than_the_escalation_days(time_machine, team):
    on_threshold = ActionFactory(audit__child__team=team, due_on=D(2026, 10, 24))  # 28 days overdue on 21 Nov
    beyond = ActionFactory(audit__child__team=team, due_on=D(2026, 10, 23))  # 29 days
    run_on(time_machine, D(2026, 11, 21))
    run_on(time_machine, D(2026, 11, 21))
    (email,) = sent_to("hos")
    assert email.subject == "Escalation: audit actions long overdue"
    assert "more than 28 days" in email.body
    assert beyond.description in email.body and on_threshold.description not in email.body
    run_on(time_machine, D(2026, 11, 22))
    assert len(sent_to("hos")) == 2
    assert on_threshold.description in sent_to("hos")[1].body


def test_the_escalation_threshold_follows_the_policy(time_machine, team):
    Policy.objects.update_or_create(pk=1, defaults={"action_escalation_days": 10})
    ActionFactory(audit__child__team=team, due_on=D(2026, 11, 10))
    run_on(time_machine, D(2026, 11, 21))
    assert len(sent_to("hos")) == 1


def test_long_overdue_history_is_not_announced_as_newly_overdue(time_machine, team):
    owner = UserFactory(username="owner")
    ActionFactory(audit__child__team=team, owner=owner, due_on=D(2025, 5, 1))
    run_on(time_machine, D(2026, 11, 21))
    assert sent_to("owner") == []
    assert len(sent_to("hos")) == 1  # escalated instead


def test_completed_actions_and_actions_of_unsubmitted_audits_are_not_chased(time_machine, team):
    owner = UserFactory(username="owner")
    ActionFactory(audit__child__team=team, owner=owner, due_on=D(2026, 11, 20), completed_on=D(2026, 11, 19))
    ActionFactory(
        audit__child__team=team,
        audit__status=Audit.Status.DRAFT,
        audit__submitted_on=None,
        owner=owner,
        due_on=D(2026, 11, 20),
    )
    run_on(time_machine, D(2026, 11, 21))
    assert mail.outbox == []


def test_owners_who_cannot_be_reached_are_skipped(time_machine, team):
    ActionFactory(audit__child__team=team, owner=UserFactory(username="gone", is_active=False), due_on=D(2026, 11, 24))
    ActionFactory(audit__child__team=team, owner=UserFactory(username="nomail", email=""), due_on=D(2026, 11, 24))
    assert run_on(time_machine, D(2026, 11, 21))["action_before_due"] == 0
    assert mail.outbox == []


def test_moving_the_due_date_lets_the_reminder_go_again(time_machine, team):
    owner = UserFactory(username="owner")
    action = ActionFactory(audit__child__team=team, owner=owner, due_on=D(2026, 11, 24))
    run_on(time_machine, D(2026, 11, 21))
    action_move_due(action=action, by=owner, new_due_on=D(2026, 12, 4), reason="Family away")
    run_on(time_machine, D(2026, 11, 22))
    assert len(sent_to("owner")) == 1
    run_on(time_machine, D(2026, 11, 27))
    assert len(sent_to("owner")) == 2


def test_weekly_digest_once_a_week_to_each_team_manager(time_machine, team):
    old = ActionFactory(audit__child__team=team, due_on=D(2026, 9, 1))
    newer = ActionFactory(audit__child__team=team, due_on=D(2026, 11, 2))
    ActionFactory(audit__child__team=team, due_on=D(2026, 12, 20))  # not overdue
    ActionFactory(due_on=D(2026, 9, 1))  # another team's
    for day in (D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 29)):  # Monday, Tuesday, Sunday
        run_on(time_machine, day)
    digests = [m for m in sent_to("tm") if m.subject.startswith("Weekly digest")]
    assert [m.subject for m in digests] == ["Weekly digest: 2 overdue audit actions"]
    body = digests[0].body
    assert body.index(old.description) < body.index(newer.description)  # oldest first
    assert ManagerDigest.objects.get().week_starting == D(2026, 11, 23)
    run_on(time_machine, D(2026, 11, 30))
    assert len([m for m in sent_to("tm") if m.subject.startswith("Weekly digest")]) == 2


def test_no_digest_without_overdue_actions(time_machine, team):
    ActionFactory(audit__child__team=team, due_on=D(2026, 12, 20))
    run_on(time_machine, D(2026, 11, 23))
    assert not ManagerDigest.objects.exists()


# --- Children of Concern ----------------------------------------------------------------------------------------


def test_concern_reminder_on_the_due_day_and_escalation_once_overdue(time_machine, team):
    quality = QualityFactory(username="qa")
    concern = ChildOfConcernFactory(audit__child__team=team, response_due_on=D(2026, 11, 23))
    run_on(time_machine, D(2026, 11, 22))
    assert mail.outbox == []
    run_on(time_machine, D(2026, 11, 23))
    run_on(time_machine, D(2026, 11, 23))
    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Child of Concern response due")
    assert sorted(reminder.to) == ["hos@example.org", "tm@example.org"]
    run_on(time_machine, D(2026, 11, 24))
    run_on(time_machine, D(2026, 11, 25))
    escalation = mail.outbox[1]
    assert len(mail.outbox) == 2
    assert escalation.subject.startswith("Escalation: Child of Concern response overdue")
    assert sorted(escalation.to) == sorted(["hos@example.org", quality.email])
    concern.refresh_from_db()
    assert concern.reminded_at is not None and concern.escalated_at is not None


def test_a_concern_already_answered_is_not_chased(time_machine, team):
    ChildOfConcernFactory(audit__child__team=team, response_due_on=D(2026, 11, 20), status="responded")
    ChildOfConcernFactory(audit__child__team=team, response_due_on=D(2026, 11, 20), status="resolved")
    counts = run_on(time_machine, D(2026, 11, 23))
    assert counts["concern_reminder"] == 0 and counts["concern_escalation"] == 0
    assert mail.outbox == []


def test_the_daily_job_takes_a_constant_number_of_queries_to_scan(time_machine, django_assert_max_num_queries):
    # Nothing due: the scan alone. Its queries do not grow with the number of actions.
    for _ in range(5):
        ActionFactory(due_on=D(2027, 3, 1))
    Policy.current()
    time_machine.move_to(at(D(2026, 11, 21), hour=7), tick=False)
    with django_assert_max_num_queries(10):
        actions_daily()
    for _ in range(20):
        ActionFactory(due_on=D(2027, 3, 1))
    with django_assert_max_num_queries(10):
        actions_daily()


def test_concerns_overdue_long_ago_are_not_chased_one_email_each(time_machine, team):
    # Imported history: raised in 2025 and never marked resolved in the old tracker.
    ChildOfConcernFactory(audit__child__team=team, raised_on=D(2025, 3, 3), response_due_on=D(2025, 3, 10))
    counts = run_on(time_machine, D(2026, 11, 23))
    assert counts["concern_reminder"] == 0 and counts["concern_escalation"] == 0
    assert [m for m in mail.outbox if "Child of Concern" in m.subject] == []
