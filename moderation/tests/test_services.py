"""Recording a moderation, finalisation, the third check and the QA team's hand changes to the sample."""

import datetime
import threading
import time

import pytest
from django.db import OperationalError, connection

from actions.models import Action, ChildOfConcern
from audits.models import AreaGrade, Audit, Policy, Theme
from audits.tests.factories import AreaGradeFactory, AuditFactory, PracticeAreaFactory, TemplateVersionFactory
from moderation.models import ModeratedAreaGrade, Moderation
from moderation.services import (
    ModerationConflict,
    ModerationError,
    NewAction,
    moderation_add_manual,
    moderation_finalise,
    moderation_outcome,
    moderation_reassign,
    moderation_record,
    moderation_remove,
    moderation_review,
)
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _record(moderation, **overrides):
    fields = {
        "moderation": moderation,
        "moderator": moderation.moderator,
        "grade": moderation.audit.auditor_grade,
        "rationale": "",
        "feedback": "Clear evidence throughout.",
        "expected_version": moderation.version,
    }
    fields.update(overrides)
    return moderation_record(**fields)


@pytest.mark.parametrize(
    ("auditor_grade", "moderator_grade", "outcome"),
    [
        ("good", "good", "agreed"),
        ("good", "outstanding", "upgraded"),
        ("requires_improvement", "good", "upgraded"),
        ("good", "requires_improvement", "downgraded"),
        ("outstanding", "inadequate", "downgraded"),
        ("inadequate", "requires_improvement", "upgraded"),
        ("inadequate", "inadequate", "agreed"),
    ],
)
def test_outcome_is_derived_from_the_two_grades(auditor_grade, moderator_grade, outcome):
    assert moderation_outcome(auditor_grade=auditor_grade, moderator_grade=moderator_grade) == outcome


def test_recording_a_downgrade_keeps_the_auditors_grade_and_makes_the_moderators_final(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC))
    moderation = ModerationFactory(audit__auditor_grade="good")

    _record(moderation, grade="requires_improvement", rationale="Plans lack timescales.")

    moderation.refresh_from_db()
    audit = Audit.objects.get(pk=moderation.audit_id)
    assert moderation.status == Moderation.Status.COMPLETED
    assert moderation.outcome == Moderation.Outcome.DOWNGRADED
    assert moderation.moderated_on == datetime.date(2026, 11, 21)
    assert audit.auditor_grade == "good"
    assert audit.final_grade == "requires_improvement"


def test_rationale_is_required_when_the_grades_differ():
    moderation = ModerationFactory(audit__auditor_grade="good")

    with pytest.raises(ModerationError) as error:
        _record(moderation, grade="outstanding", rationale="   ")

    assert error.value.field == "rationale"
    moderation.refresh_from_db()
    assert moderation.status == Moderation.Status.ASSIGNED
    assert moderation.version == 0


def test_rationale_is_optional_when_the_moderator_agrees():
    moderation = ModerationFactory(audit__auditor_grade="good")
    _record(moderation, grade="good", rationale="")
    assert Moderation.objects.get(pk=moderation.pk).outcome == Moderation.Outcome.AGREED


def test_feedback_to_the_auditor_is_required():
    moderation = ModerationFactory()
    with pytest.raises(ModerationError) as error:
        _record(moderation, feedback="")
    assert error.value.field == "feedback"


def test_an_unknown_grade_is_refused():
    moderation = ModerationFactory()
    with pytest.raises(ModerationError) as error:
        _record(moderation, grade="brilliant")
    assert error.value.field == "grade"


def test_moderated_area_grades_are_stored_for_the_audits_own_areas_only():
    template = TemplateVersionFactory(number=50, is_current=False)
    first, second = PracticeAreaFactory(template=template), PracticeAreaFactory(template=template)
    moderation = ModerationFactory(audit__template=template)

    with pytest.raises(ModerationError):
        _record(
            moderation,
            area_grades={PracticeAreaFactory(template=TemplateVersionFactory(number=51, is_current=False)).pk: "good"},
        )
    assert not ModeratedAreaGrade.objects.exists()

    _record(moderation, area_grades={first.pk: "good", second.pk: "na"})
    assert dict(ModeratedAreaGrade.objects.values_list("area_id", "grade")) == {first.pk: "good", second.pk: "na"}


def test_a_moderated_inadequate_raises_a_child_of_concern_through_the_grading_service(
    django_capture_on_commit_callbacks,
):
    moderation = ModerationFactory(audit__auditor_grade="requires_improvement")

    with django_capture_on_commit_callbacks(execute=True):
        _record(moderation, grade="inadequate", rationale="The child was left at risk.")

    concern = ChildOfConcern.objects.get(audit=moderation.audit)
    assert concern.trigger == ChildOfConcern.Trigger.INADEQUATE


def test_a_moderation_lifting_an_inadequate_marks_the_concern_as_lifted():
    moderation = ModerationFactory(audit__auditor_grade="inadequate", sample_reason="inadequate")
    from audits.grading import audit_set_final_grade

    audit_set_final_grade(audit=moderation.audit)
    assert ChildOfConcern.objects.filter(audit=moderation.audit, grade_lifted_at__isnull=True).exists()

    _record(moderation, grade="requires_improvement", rationale="Safety plan was in place.")

    assert ChildOfConcern.objects.get(audit=moderation.audit).grade_lifted_at is not None


def test_the_auditor_is_emailed_once_after_the_moderation_is_recorded(mailoutbox, django_capture_on_commit_callbacks):
    moderation = ModerationFactory(audit__auditor__email="ann@example.org", audit__auditor_grade="good")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _record(moderation, grade="requires_improvement", rationale="Plans lack timescales.", feedback="See plan.")

    assert len(callbacks) >= 1
    assert [m.to for m in mailoutbox] == [["ann@example.org"]]
    assert "Requires Improvement" in mailoutbox[0].body
    assert "See plan." in mailoutbox[0].body
    assert Moderation.objects.get(pk=moderation.pk).auditor_notified_at is not None

    from moderation.tasks import notify_auditor_of_moderation

    assert notify_auditor_of_moderation.delay(moderation.pk).get() is False
    assert len(mailoutbox) == 1


def test_no_email_is_sent_before_the_transaction_commits(mailoutbox, django_capture_on_commit_callbacks):
    moderation = ModerationFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _record(moderation)
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_the_second_of_two_moderators_is_told_and_nothing_of_theirs_is_saved():
    moderation = ModerationFactory(audit__auditor_grade="good")
    seen_version = moderation.version
    first = moderation.moderator
    second = ModeratorFactory()
    moderation_reassign(moderation=moderation, moderator=second, by=QualityFactory(), expected_version=seen_version)
    moderation.refresh_from_db()

    # The second moderator records; the first still has the form they opened before the reassignment.
    _record(moderation, moderator=second, grade="good")
    stale = Moderation.objects.get(pk=moderation.pk)
    stale.version = seen_version
    with pytest.raises(ModerationConflict) as error:
        moderation_record(
            moderation=stale,
            moderator=first,
            grade="inadequate",
            rationale="Mine",
            feedback="Mine too",
            expected_version=seen_version,
        )

    assert "first" in error.value.message
    recorded = Moderation.objects.get(pk=moderation.pk)
    assert (recorded.moderator, recorded.grade, recorded.feedback) == (second, "good", "Clear evidence throughout.")


def test_a_stale_version_from_the_same_moderator_is_refused():
    moderation = ModerationFactory()
    _record(moderation)
    with pytest.raises(ModerationConflict):
        _record(Moderation.objects.get(pk=moderation.pk), expected_version=0)


def test_of_two_moderators_holding_the_same_version_only_the_first_is_recorded():
    moderation = ModerationFactory(audit__auditor_grade="good")
    first_copy = Moderation.objects.get(pk=moderation.pk)
    second_copy = Moderation.objects.get(pk=moderation.pk)

    _record(first_copy, grade="good", expected_version=0)
    with pytest.raises(ModerationConflict):
        _record(second_copy, grade="outstanding", rationale="Better", expected_version=0)

    assert Moderation.objects.get(pk=moderation.pk).grade == "good"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_record_exactly_one():
    """Two threads with their own connections race on the same moderation and version.

    On PostgreSQL the second UPDATE waits for the first and then matches no row. SQLite
    answers "table is locked" instead of waiting, so the thread tries again, as a person
    would; either way exactly one moderation is recorded and the other is told.
    """
    moderation = ModerationFactory(audit__auditor_grade="good")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def submit(grade: str):
        try:
            barrier.wait()
            for _attempt in range(200):
                try:
                    _record(
                        Moderation.objects.get(pk=moderation.pk), grade=grade, rationale="Because.", expected_version=0
                    )
                    results.append("recorded")
                    return
                except ModerationConflict:
                    results.append("conflict")
                    return
                except OperationalError:
                    time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(g,)) for g in ("good", "outstanding")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["conflict", "recorded"]
    assert Moderation.objects.get(pk=moderation.pk).version == 1


def test_only_the_assigned_moderator_can_record():
    moderation = ModerationFactory()
    with pytest.raises(ModerationConflict):
        _record(moderation, moderator=ModeratorFactory())
    assert Moderation.objects.get(pk=moderation.pk).status == Moderation.Status.ASSIGNED


# Finalisation.


def _completed(**fields):
    moderation = ModerationFactory(**fields)
    _record(moderation, grade="requires_improvement", rationale="Drift in planning.")
    return Moderation.objects.get(pk=moderation.pk)


def test_the_auditor_finalises_and_may_update_evidence_but_not_the_grade(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC))
    moderation = _completed(audit__auditor_grade="good")
    audit = moderation.audit
    row = AreaGradeFactory(audit=audit, grade="good", evidence="old", impact="old impact")

    moderation_finalise(
        moderation=moderation,
        by=audit.auditor,
        area_texts={row.pk: ("new evidence", "new impact")},
        strengths="Warm relationships",
    )

    audit.refresh_from_db()
    row.refresh_from_db()
    moderation.refresh_from_db()
    assert audit.finalised_on == datetime.date(2026, 11, 21)
    assert moderation.acknowledged_at is not None
    assert (row.evidence, row.impact, row.grade) == ("new evidence", "new impact", "good")
    assert audit.strengths == "Warm relationships"
    assert (audit.auditor_grade, audit.final_grade) == ("good", "requires_improvement")


def test_only_the_auditor_can_finalise():
    moderation = _completed()
    with pytest.raises(ModerationError):
        moderation_finalise(moderation=moderation, by=AuditorFactory())
    assert Audit.objects.get(pk=moderation.audit_id).finalised_on is None


def test_an_unmoderated_audit_cannot_be_finalised():
    moderation = ModerationFactory()
    with pytest.raises(ModerationError):
        moderation_finalise(moderation=moderation, by=moderation.audit.auditor)


def test_finalising_twice_is_refused():
    moderation = _completed()
    moderation_finalise(moderation=moderation, by=moderation.audit.auditor)
    with pytest.raises(ModerationConflict):
        moderation_finalise(moderation=moderation, by=moderation.audit.auditor)


def test_evidence_of_another_audit_is_refused_and_nothing_is_written():
    moderation = _completed()
    foreign = AreaGradeFactory(evidence="theirs")
    with pytest.raises(ModerationError):
        moderation_finalise(moderation=moderation, by=moderation.audit.auditor, area_texts={foreign.pk: ("x", "y")})
    assert AreaGrade.objects.get(pk=foreign.pk).evidence == "theirs"
    assert Moderation.objects.get(pk=moderation.pk).acknowledged_at is None
    assert Audit.objects.get(pk=moderation.audit_id).finalised_on is None


def test_a_new_action_keeps_its_theme_and_a_retired_one_is_refused_before_anything_is_written(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC))
    chron = Theme.objects.get(name="Chronologies")
    retired = Theme.objects.create(name="Old theme", is_active=False)
    owner = ManagerFactory()

    def action(theme_id):
        return NewAction(description="Act", owner=owner, due_on=datetime.date(2026, 12, 1), theme_id=theme_id)

    moderation = _completed()
    with pytest.raises(ModerationError) as refused:
        moderation_finalise(
            moderation=moderation, by=moderation.audit.auditor, new_actions=[action(chron.pk), action(retired.pk)]
        )
    assert refused.value.field == "actions-1-theme"
    assert Moderation.objects.get(pk=moderation.pk).acknowledged_at is None
    assert not Action.objects.filter(audit_id=moderation.audit_id).exists()

    moderation_finalise(
        moderation=moderation, by=moderation.audit.auditor, new_actions=[action(chron.pk), action(None)]
    )
    themes = list(Action.objects.filter(audit_id=moderation.audit_id).order_by("pk").values_list("theme_id", flat=True))
    assert themes == [chron.pk, None]


# Third check.


def test_head_of_quality_records_agreement():
    moderation = _completed()
    head = QualityFactory()
    moderation_review(moderation=moderation, by=head, agrees=True, note="")
    moderation.refresh_from_db()
    assert (moderation.reviewed_by, moderation.review_agrees) == (head, True)
    assert moderation.reviewed_at is not None


def test_disagreeing_needs_a_note_and_a_moderation_is_reviewed_once():
    moderation = _completed()
    head = QualityFactory()
    with pytest.raises(ModerationError) as error:
        moderation_review(moderation=moderation, by=head, agrees=False, note="")
    assert error.value.field == "note"
    moderation_review(moderation=moderation, by=head, agrees=False, note="Evidence supports Inadequate.")
    with pytest.raises(ModerationConflict):
        moderation_review(moderation=moderation, by=head, agrees=True, note="")
    assert Moderation.objects.get(pk=moderation.pk).review_note == "Evidence supports Inadequate."


def test_an_unmoderated_audit_cannot_be_reviewed():
    with pytest.raises(ModerationConflict):
        moderation_review(moderation=ModerationFactory(), by=QualityFactory(), agrees=True, note="")


# The QA team's hand changes.


def test_qa_team_adds_a_returned_audit_to_the_sample_by_hand():
    moderator = ModeratorFactory()
    audit = AuditFactory(returned=True)
    moderation = moderation_add_manual(audit=audit, by=QualityFactory())
    assert (moderation.sample_reason, moderation.moderator) == (Moderation.SampleReason.MANUAL, moderator)


def test_an_audit_in_progress_cannot_be_added_to_the_sample():
    with pytest.raises(ModerationError):
        moderation_add_manual(audit=AuditFactory(), by=QualityFactory())
    assert not Moderation.objects.exists()


def test_an_audit_already_in_the_sample_cannot_be_added_again():
    moderation = ModerationFactory()
    with pytest.raises(ModerationError):
        moderation_add_manual(audit=moderation.audit, by=QualityFactory())


def test_removing_then_adding_back_reuses_the_moderation():
    moderation = ModerationFactory(sample_reason=Moderation.SampleReason.INADEQUATE)
    moderation_remove(moderation=moderation, by=QualityFactory(), expected_version=0)
    assert Moderation.objects.get(pk=moderation.pk).status == Moderation.Status.REMOVED

    again = moderation_add_manual(audit=moderation.audit, by=QualityFactory())

    assert again.pk == moderation.pk
    assert (again.status, again.sample_reason) == (Moderation.Status.ASSIGNED, Moderation.SampleReason.INADEQUATE)


def test_a_completed_moderation_cannot_be_removed():
    moderation = _completed()
    with pytest.raises(ModerationConflict):
        moderation_remove(moderation=moderation, by=QualityFactory())
    assert Moderation.objects.get(pk=moderation.pk).status == Moderation.Status.COMPLETED


def test_reassigning_gives_a_fresh_due_date_and_refuses_a_conflicted_moderator(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC))
    policy = Policy.current()
    policy.moderation_days = 5
    policy.save()
    head = ManagerFactory(is_moderator=True)
    moderation = ModerationFactory(
        audit__child__team=TeamFactory(head_of_service=head), due_on=datetime.date(2026, 1, 1)
    )

    with pytest.raises(ModerationError) as error:
        moderation_reassign(moderation=moderation, moderator=head, by=QualityFactory())
    assert error.value.field == "moderator"
    with pytest.raises(ModerationError):
        moderation_reassign(moderation=moderation, moderator=AuditorFactory(), by=QualityFactory())

    other = ModeratorFactory()
    moderation_reassign(moderation=moderation, moderator=other, by=QualityFactory())
    moderation.refresh_from_db()
    assert (moderation.moderator, moderation.due_on) == (other, datetime.date(2026, 11, 26))


def test_a_sent_back_audit_cannot_be_moderated_until_resubmitted():
    moderation = ModerationFactory(audit__status=Audit.Status.SENT_BACK)
    with pytest.raises(ModerationError):
        _record(moderation)
    assert Moderation.objects.get(pk=moderation.pk).status == Moderation.Status.ASSIGNED


def test_the_auditor_may_add_actions_when_finalising(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC))
    moderation = _completed()
    owner = AuditorFactory()

    moderation_finalise(
        moderation=moderation,
        by=moderation.audit.auditor,
        new_actions=[
            NewAction(description="Add timescales to the plan", owner=owner, due_on=datetime.date(2026, 12, 18))
        ],
    )

    action = Action.objects.get(audit=moderation.audit)
    assert (action.description, action.owner, action.due_on) == (
        "Add timescales to the plan",
        owner,
        datetime.date(2026, 12, 18),
    )


def test_an_action_due_in_the_past_is_refused_and_nothing_is_finalised(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC))
    moderation = _completed()
    with pytest.raises(ModerationError):
        moderation_finalise(
            moderation=moderation,
            by=moderation.audit.auditor,
            new_actions=[NewAction(description="Late", owner=AuditorFactory(), due_on=datetime.date(2026, 11, 1))],
        )
    assert not Action.objects.filter(audit=moderation.audit).exists()
    assert Audit.objects.get(pk=moderation.audit_id).finalised_on is None
