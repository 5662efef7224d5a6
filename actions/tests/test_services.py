"""Services: completing, reopening and moving actions; raising, answering and reviewing Children of Concern."""

import datetime
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from actions import services
from actions.models import ActionChange, ChildOfConcern, ConcernReview
from actions.tasks import actions_daily, notify_child_of_concern
from actions.tests.conftest import at
from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from audits.grading import audit_set_final_grade
from audits.models import AreaGradeChoice, Audit, Grade
from audits.tests.factories import AreaGradeFactory, AuditFactory
from common.workdays import add_working_days
from moderation.models import Moderation
from people.tests.factories import (
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


# --- Completing, reopening, moving -------------------------------------------------------------------------------


def test_owner_completes_with_what_changed_and_the_history_records_it(today):
    action = ActionFactory(due_on=D(2026, 11, 30))
    services.action_complete(action=action, by=action.owner, on=D(2026, 11, 20), note="  Plan now names the uncle.  ")
    action.refresh_from_db()
    assert action.completed_on == D(2026, 11, 20)
    assert action.completed_by == action.owner
    assert action.completion_note == "Plan now names the uncle."
    assert action.status_on(today) == "completed_on_time"
    change = action.changes.get()
    assert (change.kind, change.completed_on, change.reason, change.by) == (
        ActionChange.Kind.COMPLETED,
        D(2026, 11, 20),
        "Plan now names the uncle.",
        action.owner,
    )


def test_the_owners_team_manager_may_complete_but_another_manager_may_not(today):
    owner = UserFactory()
    owners_manager = ManagerFactory()
    TeamFactory(manager=owners_manager).members.add(owner)
    action = ActionFactory(owner=owner, due_on=D(2026, 11, 10))
    with pytest.raises(PermissionDenied):
        services.action_complete(action=action, by=ManagerFactory(), on=today, note="Done")
    services.action_complete(action=action, by=owners_manager, on=today, note="Done")
    action.refresh_from_db()
    assert action.status_on(today) == "completed_late"


def test_the_manager_of_the_audited_team_may_complete(today):
    manager = ManagerFactory()
    action = ActionFactory(audit__child__team=TeamFactory(head_of_service=manager))
    services.action_complete(action=action, by=manager, on=today, note="Done")
    assert action.changes.count() == 1


@pytest.mark.parametrize(
    ("on", "note", "field"),
    [
        (D(2026, 11, 22), "Done", "on"),  # tomorrow
        (D(2026, 9, 30), "Done", "on"),  # before the audit's month (October)
        (D(2026, 11, 20), "   ", "note"),
    ],
)
def test_completion_is_refused_with_a_reason_at_the_field(today, on, note, field):
    action = ActionFactory()
    with pytest.raises(services.ActionError) as refused:
        services.action_complete(action=action, by=action.owner, on=on, note=note)
    assert refused.value.field == field
    action.refresh_from_db()
    assert action.completed_on is None and not action.changes.exists()


def test_an_action_is_completed_once(today):
    action = ActionFactory(completed_on=D(2026, 11, 1))
    with pytest.raises(services.ActionError, match="already completed"):
        services.action_complete(action=action, by=action.owner, on=today, note="Again")


def test_the_qa_team_reopens_with_a_reason_and_the_withdrawn_date_is_kept(today):
    action = ActionFactory(due_on=D(2026, 11, 10), completed_on=D(2026, 11, 5), completion_note="Visited")
    quality = QualityFactory()
    with pytest.raises(services.ActionError):
        services.action_reopen(action=action, by=quality, reason="")
    with pytest.raises(PermissionDenied):
        services.action_reopen(action=action, by=action.owner, reason="I want to")
    services.action_reopen(action=action, by=quality, reason="The visit did not see the child alone.")
    action.refresh_from_db()
    assert action.completed_on is None and action.completion_note == ""
    assert action.status_on(today) == "overdue"
    change = action.changes.get()
    assert change.kind == ActionChange.Kind.REOPENED and change.completed_on == D(2026, 11, 5)
    assert change.reason == "The visit did not see the child alone."


def test_moving_the_due_date_needs_a_reason_and_restarts_the_reminders(today):
    action = ActionFactory(
        due_on=D(2026, 11, 25),
        reminded_before_due_at=at(D(2026, 11, 18)),
        reminded_overdue_at=at(D(2026, 11, 18)),
        escalated_at=at(D(2026, 11, 18)),
    )
    with pytest.raises(services.ActionError) as refused:
        services.action_move_due(action=action, by=action.owner, new_due_on=D(2026, 12, 15), reason=" ")
    assert refused.value.field == "reason"
    with pytest.raises(services.ActionError) as refused:
        services.action_move_due(action=action, by=action.owner, new_due_on=D(2026, 11, 20), reason="Typo")
    assert refused.value.field == "new_due_on"
    services.action_move_due(action=action, by=action.owner, new_due_on=D(2026, 12, 15), reason="Court date moved")
    action.refresh_from_db()
    assert action.due_on == D(2026, 12, 15)
    assert action.reminded_before_due_at is None and action.reminded_overdue_at is None
    assert action.escalated_at is None
    change = action.changes.get()
    assert (change.old_due_on, change.new_due_on, change.reason) == (
        D(2026, 11, 25),
        D(2026, 12, 15),
        "Court date moved",
    )


def test_a_completed_action_cannot_be_moved_and_a_stranger_cannot_move_any(today):
    with pytest.raises(services.ActionError, match="reopen"):
        done = ActionFactory(completed_on=D(2026, 11, 1))
        services.action_move_due(action=done, by=done.owner, new_due_on=D(2026, 12, 1), reason="x")
    with pytest.raises(PermissionDenied):
        services.action_move_due(action=ActionFactory(), by=UserFactory(), new_due_on=D(2026, 12, 1), reason="x")


# --- Raising a Child of Concern -------------------------------------------------------------------------------


def _submitted(grade, **kwargs):
    team = kwargs.pop("team", None) or TeamFactory(manager=ManagerFactory(), head_of_service=ManagerFactory())
    return AuditFactory(
        child__team=team, status=Audit.Status.SUBMITTED, submitted_on=D(2026, 11, 20), auditor_grade=grade, **kwargs
    )


def _moderate(audit, grade):
    Moderation.objects.update_or_create(
        audit=audit,
        defaults={
            "sample_reason": Moderation.SampleReason.RANDOM,
            "moderator": ModeratorFactory(),
            "status": Moderation.Status.COMPLETED,
            "grade": grade,
            "moderated_on": D(2026, 11, 21),
        },
    )
    audit = Audit.objects.get(pk=audit.pk)
    return audit_set_final_grade(audit=audit)


def test_an_inadequate_grade_raises_one_concern_and_one_email_with_the_audits_concerns(
    today, django_capture_on_commit_callbacks
):
    audit = _submitted(Grade.INADEQUATE, improvements="No visits for eight weeks.")
    AreaGradeFactory(audit=audit, grade=AreaGradeChoice.INADEQUATE, evidence="Plan out of date", impact="Drift")
    with django_capture_on_commit_callbacks(execute=True):
        audit_set_final_grade(audit=audit)
    concern = ChildOfConcern.objects.get(audit=audit)
    assert concern.trigger == ChildOfConcern.Trigger.INADEQUATE
    assert concern.raised_on == today and concern.notified_at is not None
    (email,) = mail.outbox
    assert sorted(email.to) == sorted([audit.team.manager.email, audit.team.head_of_service.email])
    assert "No visits for eight weeks." in email.body and "Plan out of date" in email.body
    assert f"/actions/concerns/{concern.pk}/" in email.body

    # The same grade stored again, and the moderator agreeing later, raise nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        audit_set_final_grade(audit=audit)
        _moderate(audit, Grade.INADEQUATE)
    assert ChildOfConcern.objects.filter(audit=audit).count() == 1
    assert len(mail.outbox) == 1


def test_a_moderator_downgrading_to_inadequate_raises_it_then(today, django_capture_on_commit_callbacks):
    audit = _submitted(Grade.REQUIRES_IMPROVEMENT)
    audit_set_final_grade(audit=audit)
    assert not ChildOfConcern.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _moderate(audit, Grade.INADEQUATE)
    assert ChildOfConcern.objects.get(audit=audit).trigger == ChildOfConcern.Trigger.INADEQUATE
    assert len(mail.outbox) == 1


def test_moderation_lifting_the_grade_flags_the_concern_and_leaves_the_qa_team_to_close_it(
    today, django_capture_on_commit_callbacks
):
    audit = _submitted(Grade.INADEQUATE)
    with django_capture_on_commit_callbacks(execute=True):
        audit_set_final_grade(audit=audit)
        _moderate(audit, Grade.REQUIRES_IMPROVEMENT)
    concern = ChildOfConcern.objects.get(audit=audit)
    assert concern.grade_lifted_at is not None
    assert concern.status == ChildOfConcern.Status.AWAITING_RESPONSE
    assert len(mail.outbox) == 1
    quality = QualityFactory()
    with pytest.raises(services.ConcernError) as refused:
        services.child_of_concern_resolve(concern=concern, by=quality, note="")
    assert refused.value.field == "note"
    services.child_of_concern_resolve(concern=concern, by=quality, note="Moderated to RI; plan in place.")
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.RESOLVED and concern.resolved_on == today


def test_immediate_concern_raises_even_when_the_grade_is_not_inadequate(today):
    audit = _submitted(Grade.GOOD, immediate_concern=True, immediate_concern_detail="Bruising seen")
    audit_set_final_grade(audit=audit)
    assert ChildOfConcern.objects.get(audit=audit).trigger == ChildOfConcern.Trigger.IMMEDIATE_CONCERN


def test_response_deadline_skips_christmas_bank_holidays(time_machine):
    # Raised on Tuesday 22 Dec 2026: 25 Dec (Fri) and 28 Dec (Mon, Boxing Day substitute) are bank holidays.
    time_machine.move_to(at(D(2026, 12, 22)), tick=False)
    audit = _submitted(Grade.INADEQUATE)
    audit_set_final_grade(audit=audit)
    concern = ChildOfConcern.objects.get(audit=audit)
    assert concern.raised_on == D(2026, 12, 22)
    assert concern.response_due_on == D(2026, 12, 31)
    assert add_working_days(D(2026, 11, 20), 5) == D(2026, 11, 27)  # an ordinary week: just the weekend


# --- E-mail failures ---------------------------------------------------------------------------------------------


def test_a_failed_send_is_retried_with_backoff_and_marked_sent_once_it_goes(today, request):
    from django.core.mail import send_mail as real_send_mail

    from qa_portal.celery import app

    # Without propagation Celery runs a task's retries in process, as a worker would (without the waits).
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    request.addfinalizer(lambda: setattr(app.conf, "task_eager_propagates", propagates))

    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise SMTPServerDisconnected("mail server went away")
        return real_send_mail(*args, **kwargs)

    concern = ChildOfConcernFactory(audit__child__team=TeamFactory(manager=ManagerFactory()), notified_at=None)
    with mock.patch("actions.notifications.send_mail", side_effect=flaky):
        result = notify_child_of_concern.apply(args=[concern.pk])
    assert result.get() is True
    assert len(attempts) == 3
    assert len(mail.outbox) == 1
    concern.refresh_from_db()
    assert concern.notified_at is not None
    assert notify_child_of_concern.retry_backoff and notify_child_of_concern.max_retries >= 5
    # Delivered twice (a worker crash after sending), it still sends once.
    assert notify_child_of_concern.apply(args=[concern.pk]).get() is False
    assert len(mail.outbox) == 1


def test_a_notification_that_never_went_is_not_lost_the_daily_job_sends_it(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(D(2026, 11, 20)), tick=False)
    audit = _submitted(Grade.INADEQUATE)
    with mock.patch("actions.notifications.send_mail", side_effect=SMTPServerDisconnected("down")):
        # The failure after every retry must not turn the submission into an error page.
        with django_capture_on_commit_callbacks(execute=True):
            audit_set_final_grade(audit=audit)
    concern = ChildOfConcern.objects.get(audit=audit)
    assert concern.notified_at is None and mail.outbox == []

    time_machine.move_to(at(D(2026, 11, 21), hour=7), tick=False)
    actions_daily()
    concern.refresh_from_db()
    assert concern.notified_at is not None
    assert [m.subject for m in mail.outbox] == [f"Child of Concern: {audit.child.case_ref} ({audit.team.name})"]
    actions_daily()
    assert len(mail.outbox) == 1


def test_with_no_manager_or_head_of_service_the_qa_team_is_told(today, django_capture_on_commit_callbacks):
    quality = QualityFactory()
    audit = _submitted(Grade.INADEQUATE, team=TeamFactory())
    with django_capture_on_commit_callbacks(execute=True):
        audit_set_final_grade(audit=audit)
    assert mail.outbox[0].to == [quality.email]


# --- Responding and reviewing ----------------------------------------------------------------------------------


def test_the_team_manager_responds_in_three_required_parts(today):
    manager = ManagerFactory()
    concern = ChildOfConcernFactory(audit__child__team=TeamFactory(manager=manager))
    with pytest.raises(services.ConcernError) as refused:
        services.child_of_concern_respond(
            concern=concern, by=manager, safety="Visited today", service_offer="", next_steps="Review 1 Dec"
        )
    assert refused.value.field == "service_offer"
    with pytest.raises(PermissionDenied):
        services.child_of_concern_respond(
            concern=concern, by=concern.audit.auditor, safety="a", service_offer="b", next_steps="c"
        )
    services.child_of_concern_respond(
        concern=concern, by=manager, safety="Visited today", service_offer="CIN plan fits", next_steps="Review 1 Dec"
    )
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.RESPONDED
    assert concern.responded_by == manager and concern.next_steps_response == "Review 1 Dec"
    with pytest.raises(services.ConcernError, match="not awaiting"):
        services.child_of_concern_respond(concern=concern, by=manager, safety="a", service_offer="b", next_steps="c")


def test_returning_for_more_sets_a_new_deadline_and_tells_the_team_once(today, django_capture_on_commit_callbacks):
    manager = ManagerFactory()
    concern = ChildOfConcernFactory(
        audit__child__team=TeamFactory(manager=manager), status="responded", reminded_at=at(D(2026, 11, 20))
    )
    quality = QualityFactory()
    with pytest.raises(services.ConcernError):
        services.child_of_concern_return(concern=concern, by=quality, note="")
    with django_capture_on_commit_callbacks(execute=True):
        services.child_of_concern_return(concern=concern, by=quality, note="Say when the child was last seen alone.")
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.AWAITING_RESPONSE
    assert concern.response_due_on == D(2026, 11, 27) and concern.reminded_at is None
    review = concern.reviews.get()
    assert review.decision == ConcernReview.Decision.RETURNED and review.notified_at is not None
    (email,) = mail.outbox
    assert email.to == [manager.email] and "Say when the child was last seen alone." in email.body
    actions_daily()
    assert len(mail.outbox) == 1


def test_resolving_needs_a_response_unless_the_grade_was_lifted(today):
    quality = QualityFactory()
    awaiting = ChildOfConcernFactory()
    with pytest.raises(services.ConcernError, match="not responded"):
        services.child_of_concern_resolve(concern=awaiting, by=quality)
    responded = ChildOfConcernFactory(status="responded")
    with pytest.raises(PermissionDenied):
        services.child_of_concern_resolve(concern=responded, by=ManagerFactory())
    services.child_of_concern_resolve(concern=responded, by=quality)
    responded.refresh_from_db()
    assert responded.resolved_on == today and responded.resolved_by == quality
    with pytest.raises(services.ConcernError, match="already resolved"):
        services.child_of_concern_resolve(concern=responded, by=quality)


# --- Two people at once -----------------------------------------------------------------------------------------


def test_a_second_completion_from_a_stale_page_is_refused(today):
    # Both people loaded the action while it was open; the service re-reads it under a row lock.
    action = ActionFactory(due_on=D(2026, 11, 30))
    stale = type(action).objects.get(pk=action.pk)
    services.action_complete(action=action, by=action.owner, on=today, note="First")
    with pytest.raises(services.ActionError, match="already completed"):
        services.action_complete(action=stale, by=stale.owner, on=today, note="Second")
    action.refresh_from_db()
    assert action.completion_note == "First" and action.changes.count() == 1


def test_a_second_response_from_a_stale_page_is_refused(today):
    manager = ManagerFactory()
    concern = ChildOfConcernFactory(audit__child__team=TeamFactory(manager=manager))
    stale = ChildOfConcern.objects.get(pk=concern.pk)
    services.child_of_concern_respond(concern=concern, by=manager, safety="a", service_offer="b", next_steps="c")
    with pytest.raises(services.ConcernError, match="not awaiting"):
        services.child_of_concern_respond(concern=stale, by=manager, safety="x", service_offer="y", next_steps="z")
    concern.refresh_from_db()
    assert concern.safety_response == "a"
