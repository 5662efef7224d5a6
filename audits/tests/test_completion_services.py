"""The audit form's services: validation rules one by one, drafts, submission, lateness, send-back."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from actions.models import Action, ChildOfConcern
from audits.completion import (
    AuditConflict,
    AuditError,
    AuditIncomplete,
    AuditNotEditable,
    audit_areas_ensure,
    audit_save_draft,
    audit_send_back,
    audit_submission_problems,
    audit_submit,
)
from audits.models import AreaGrade, Audit, SendBack
from audits.tests.completion_helpers import an_action, audit_with_areas, complete_input
from audits.tests.factories import AreaGradeFactory, PracticeAreaFactory
from moderation.models import Moderation
from people.tests.factories import QualityFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 21)
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def audit(frozen):
    return audit_with_areas(areas=3, month=NOVEMBER, due_on=datetime.date(2026, 11, 25))


def fields_of(problems):
    return [p.field for p in problems]


# --- The submission rules, one by one -------------------------------------------------------


@pytest.mark.django_db
def test_complete_audit_has_no_problems(audit):
    assert audit_submission_problems(audit=audit, data=complete_input(audit), today=TODAY) == []


@pytest.mark.django_db
def test_every_practice_area_must_be_graded_or_not_applicable(audit):
    data = complete_input(audit)
    data.areas[1].grade = ""
    problems = audit_submission_problems(audit=audit, data=data, today=TODAY)
    assert fields_of(problems) == [f"area-{data.areas[1].area_id}-grade"]
    assert "choose a grade, or Not applicable" in problems[0].message


@pytest.mark.django_db
def test_an_area_missing_from_the_input_counts_as_ungraded(audit):
    data = complete_input(audit)
    dropped = data.areas.pop()
    assert fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY)) == [
        f"area-{dropped.area_id}-grade"
    ]


@pytest.mark.django_db
def test_not_applicable_area_needs_no_evidence_or_impact(audit):
    data = complete_input(audit)
    data.areas[0].grade, data.areas[0].evidence, data.areas[0].impact = "na", "", ""
    assert audit_submission_problems(audit=audit, data=data, today=TODAY) == []


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["evidence", "impact"])
def test_graded_area_needs_evidence_and_impact(audit, missing):
    data = complete_input(audit)
    setattr(data.areas[2], missing, "   ")
    assert fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY)) == [
        f"area-{data.areas[2].area_id}-{missing}"
    ]


@pytest.mark.django_db
def test_overall_grade_is_required(audit):
    problems = audit_submission_problems(audit=audit, data=complete_input(audit, auditor_grade=""), today=TODAY)
    assert fields_of(problems) == ["auditor_grade"]


@pytest.mark.django_db
@pytest.mark.parametrize("grade", ["outstanding", "good", "inadequate"])
def test_only_requires_improvement_may_be_flagged_at_risk(audit, grade):
    data = complete_input(audit, auditor_grade=grade, at_risk=True, actions=[an_action()])
    assert "at_risk" in fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY))


@pytest.mark.django_db
def test_requires_improvement_at_risk_with_an_action_is_complete(audit):
    data = complete_input(audit, auditor_grade="requires_improvement", at_risk=True, actions=[an_action()])
    assert audit_submission_problems(audit=audit, data=data, today=TODAY) == []


@pytest.mark.django_db
@pytest.mark.parametrize("grade", ["requires_improvement", "inadequate"])
def test_requires_improvement_or_inadequate_needs_an_action(audit, grade):
    problems = audit_submission_problems(audit=audit, data=complete_input(audit, auditor_grade=grade), today=TODAY)
    assert fields_of(problems) == ["actions"]


@pytest.mark.django_db
def test_a_removed_action_does_not_count(audit):
    data = complete_input(audit, auditor_grade="inadequate", actions=[an_action(delete=True)])
    assert fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY)) == ["actions"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"owner": None}, "actions-0-owner", "owns it"),
        ({"due_on": None}, "actions-0-due_on", "due date"),
        ({"description": "  "}, "actions-0-description", "describe"),
    ],
)
def test_every_action_needs_a_description_owner_and_due_date(audit, change, field, words):
    action = an_action()
    for name, value in change.items():
        setattr(action, name, value)
    problems = audit_submission_problems(audit=audit, data=complete_input(audit, actions=[action]), today=TODAY)
    assert fields_of(problems) == [field]
    assert words in problems[0].message


@pytest.mark.django_db
@pytest.mark.parametrize("due", [TODAY, TODAY - datetime.timedelta(days=1)])
def test_action_due_date_must_be_in_the_future(audit, due):
    data = complete_input(audit, actions=[an_action(due_on=due)])
    problems = audit_submission_problems(audit=audit, data=data, today=TODAY)
    assert fields_of(problems) == ["actions-0-due_on"]
    assert "future" in problems[0].message


@pytest.mark.django_db
def test_an_action_completed_in_the_tracker_keeps_its_past_due_date(audit):
    done = Action.objects.create(
        audit=audit, description="Visit", owner=UserFactory(), due_on=TODAY, completed_on=TODAY
    )
    data = complete_input(audit, actions=[an_action(id=done.pk, due_on=TODAY)])
    assert audit_submission_problems(audit=audit, data=data, today=TODAY) == []


@pytest.mark.django_db
def test_immediate_concern_requires_an_explanation(audit):
    data = complete_input(audit, immediate_concern=True, immediate_concern_detail=" ")
    assert fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY)) == ["immediate_concern_detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["sw_participated", "manager_participated", "iro_views", "child_spoken_to", "parent_spoken_to"]
)
def test_each_participation_question_must_be_answered(audit, field):
    data = complete_input(audit, **{field: "" if field == "iro_views" else None})
    assert fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY)) == [field]


@pytest.mark.django_db
def test_a_child_spoken_to_needs_their_view_and_words(audit):
    data = complete_input(audit, child_feedback="", child_feedback_comment="")
    assert fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY)) == [
        "child_feedback",
        "child_feedback_comment",
    ]


@pytest.mark.django_db
def test_a_parent_not_spoken_to_cannot_have_a_view_recorded(audit):
    data = complete_input(audit, parent_spoken_to=False, parent_feedback="negative")
    problems = audit_submission_problems(audit=audit, data=data, today=TODAY)
    assert fields_of(problems) == ["parent_feedback"]
    assert "not spoken to" in problems[0].message


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["strengths", "improvements"])
def test_strengths_and_areas_for_improvement_are_required(audit, field):
    data = complete_input(audit, **{field: ""})
    assert fields_of(audit_submission_problems(audit=audit, data=data, today=TODAY)) == [field]


# --- Drafts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_saves_without_validation_and_bumps_the_version(audit):
    data = complete_input(audit, auditor_grade="", strengths="Half a thought")
    data.areas[0].grade, data.areas[0].evidence = "", "Started typing"
    saved = audit_save_draft(audit=audit, by=audit.auditor, data=data, expected_version=0)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.DRAFT
    assert audit.version == 1
    assert audit.strengths == "Half a thought"
    assert audit.last_saved_at is not None
    assert AreaGrade.objects.get(audit=audit, area_id=data.areas[0].area_id).evidence == "Started typing"
    assert saved.audit.version == 1


@pytest.mark.django_db
def test_first_open_creates_one_area_grade_per_area_of_the_audits_own_template(audit):
    other_template_area = PracticeAreaFactory()  # belongs to version 1, not this audit's
    AreaGradeFactory(audit=audit, area=other_template_area)
    area_grades = audit_areas_ensure(audit=audit)
    assert sorted(ag.area_id for ag in area_grades) == sorted(audit.template.areas.values_list("pk", flat=True))
    assert len(audit_areas_ensure(audit=audit)) == 3  # twice: no duplicates


@pytest.mark.django_db
def test_an_incomplete_action_waits_in_the_draft_until_it_has_an_owner_and_due_date(audit):
    owner = UserFactory()
    data = complete_input(audit, actions=[an_action(owner=None, description="Book a strategy meeting")])
    data.actions[0].owner = None
    saved = audit_save_draft(audit=audit, by=audit.auditor, data=data, expected_version=0, editor_token="t")
    audit.refresh_from_db()
    assert not audit.actions.exists()
    assert audit.pending_actions == [
        {"description": "Book a strategy meeting", "owner_id": None, "due_on": "2026-12-31", "in_care_plan": False}
    ]
    assert saved.action_ids == {0: None}

    data.actions[0].owner = owner
    saved = audit_save_draft(audit=audit, by=audit.auditor, data=data, expected_version=1, editor_token="t")
    audit.refresh_from_db()
    action = audit.actions.get()
    assert (action.description, action.owner, action.due_on) == (
        "Book a strategy meeting",
        owner,
        TODAY.replace(day=31, month=12),
    )
    assert audit.pending_actions == []
    assert saved.action_ids == {0: action.pk}


@pytest.mark.django_db
def test_a_draft_that_blanks_a_saved_actions_owner_keeps_the_saved_owner(audit):
    owner = UserFactory()
    action = Action.objects.create(audit=audit, description="Visit", owner=owner, due_on=datetime.date(2026, 12, 1))
    data = complete_input(audit, actions=[an_action(id=action.pk, description="Visit weekly")])
    data.actions[0].owner = None
    audit_save_draft(audit=audit, by=audit.auditor, data=data, expected_version=0)
    action.refresh_from_db()
    assert (action.description, action.owner) == ("Visit weekly", owner)

    data.actions[0].description, data.actions[0].due_on = "", None
    audit_save_draft(audit=audit, by=audit.auditor, data=data, expected_version=1)
    action.refresh_from_db()
    assert (action.description, action.due_on) == ("Visit weekly", datetime.date(2026, 12, 31))


@pytest.mark.django_db
def test_removing_an_action_deletes_it(audit):
    action = Action.objects.create(audit=audit, description="Visit", owner=UserFactory(), due_on=TODAY)
    data = complete_input(audit, actions=[an_action(id=action.pk, delete=True)])
    audit_save_draft(audit=audit, by=audit.auditor, data=data, expected_version=0)
    assert not Action.objects.filter(pk=action.pk).exists()


@pytest.mark.django_db
def test_a_save_from_an_old_version_is_refused_and_changes_nothing(audit):
    audit_save_draft(
        audit=audit,
        by=audit.auditor,
        data=complete_input(audit, strengths="Tab A"),
        expected_version=0,
        editor_token="a",
    )
    with pytest.raises(AuditConflict) as caught:
        audit_save_draft(
            audit=audit,
            by=audit.auditor,
            data=complete_input(audit, strengths="Tab B"),
            expected_version=0,
            editor_token="b",
        )
    audit.refresh_from_db()
    assert audit.strengths == "Tab A"
    assert audit.version == 1
    assert "another tab or window" in str(caught.value)
    assert caught.value.current.version == 1


@pytest.mark.django_db
def test_the_same_tab_may_save_over_its_own_autosave_still_in_flight(audit):
    audit_save_draft(
        audit=audit, by=audit.auditor, data=complete_input(audit, strengths="one"), expected_version=0, editor_token="a"
    )
    # The tab's form still carries version 0 because the first save's answer had not arrived.
    audit_save_draft(
        audit=audit, by=audit.auditor, data=complete_input(audit, strengths="two"), expected_version=0, editor_token="a"
    )
    audit.refresh_from_db()
    assert (audit.strengths, audit.version) == ("two", 2)


@pytest.mark.django_db
def test_only_the_allocated_auditor_can_save(audit):
    with pytest.raises(AuditNotEditable):
        audit_save_draft(audit=audit, by=UserFactory(), data=complete_input(audit), expected_version=0)


# --- Submission -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_records_the_date_and_sets_the_final_grade(audit):
    saved = audit_submit(audit=audit, by=audit.auditor, data=complete_input(audit), expected_version=0)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SUBMITTED
    assert audit.submitted_on == TODAY
    assert audit.final_grade == "good"
    assert not audit.is_late
    assert saved.audit.pk == audit.pk
    assert audit.is_returned


@pytest.mark.django_db
def test_an_incomplete_submission_saves_nothing(audit):
    data = complete_input(audit, auditor_grade="", strengths="Changed")
    with pytest.raises(AuditIncomplete) as caught:
        audit_submit(audit=audit, by=audit.auditor, data=data, expected_version=0)
    audit.refresh_from_db()
    assert (audit.status, audit.version, audit.strengths) == (Audit.Status.DRAFT, 0, "")
    assert [p.field for p in caught.value.problems] == ["auditor_grade"]


@pytest.mark.django_db
def test_a_double_submit_submits_once(audit):
    audit_submit(audit=audit, by=audit.auditor, data=complete_input(audit), expected_version=0, editor_token="a")
    with pytest.raises(AuditNotEditable) as caught:
        audit_submit(audit=audit, by=audit.auditor, data=complete_input(audit), expected_version=0, editor_token="a")
    assert caught.value.audit.status == Audit.Status.SUBMITTED
    assert audit.history.filter(history_change_reason="Submitted").count() == 1


@pytest.mark.django_db
def test_submitting_inadequate_raises_a_child_of_concern_and_samples_for_moderation(audit):
    data = complete_input(audit, auditor_grade="inadequate", actions=[an_action()])
    audit_submit(audit=audit, by=audit.auditor, data=data, expected_version=0)
    audit.refresh_from_db()
    assert audit.final_grade == "inadequate"
    assert ChildOfConcern.objects.get(audit=audit).trigger == ChildOfConcern.Trigger.INADEQUATE
    assert Moderation.objects.get(audit=audit).sample_reason == Moderation.SampleReason.INADEQUATE
    assert audit.actions.count() == 1


@pytest.mark.django_db
def test_submitting_an_immediate_concern_raises_a_child_of_concern_whatever_the_grade(audit):
    data = complete_input(audit, immediate_concern=True, immediate_concern_detail="Bruising seen <today>.")
    audit_submit(audit=audit, by=audit.auditor, data=data, expected_version=0)
    concern = ChildOfConcern.objects.get(audit=audit)
    assert concern.trigger == ChildOfConcern.Trigger.IMMEDIATE_CONCERN
    audit.refresh_from_db()
    assert (audit.final_grade, audit.immediate_concern_detail) == ("good", "Bruising seen <today>.")


@pytest.mark.django_db
def test_a_draft_raises_no_child_of_concern(audit):
    data = complete_input(audit, auditor_grade="inadequate", immediate_concern=True)
    audit_save_draft(audit=audit, by=audit.auditor, data=data, expected_version=0)
    assert not ChildOfConcern.objects.exists()
    assert not Moderation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "due", "late", "submitted_on"),
    [
        # British Summer Time: 23:30 UTC on 30 Sep is already 1 Oct in London.
        (datetime.datetime(2026, 9, 30, 22, 30, tzinfo=datetime.UTC), datetime.date(2026, 9, 30), False, "2026-09-30"),
        (datetime.datetime(2026, 9, 30, 23, 30, tzinfo=datetime.UTC), datetime.date(2026, 9, 30), True, "2026-10-01"),
        # Greenwich Mean Time after the clocks go back: the UK date is the UTC date.
        (
            datetime.datetime(2026, 10, 31, 23, 59, tzinfo=datetime.UTC),
            datetime.date(2026, 10, 31),
            False,
            "2026-10-31",
        ),
        (datetime.datetime(2026, 11, 1, 0, 1, tzinfo=datetime.UTC), datetime.date(2026, 10, 31), True, "2026-11-01"),
        # December into January.
        (datetime.datetime(2027, 1, 1, 9, 0, tzinfo=datetime.UTC), datetime.date(2026, 12, 31), True, "2027-01-01"),
    ],
)
def test_lateness_across_month_ends_uses_the_uk_date(moment, due, late, submitted_on):
    with time_machine.travel(moment, tick=False):
        audit = audit_with_areas(areas=2, month=due.replace(day=1), due_on=due)
        audit_submit(audit=audit, by=audit.auditor, data=complete_input(audit), expected_version=0)
    audit.refresh_from_db()
    assert audit.submitted_on.isoformat() == submitted_on
    assert audit.is_late is late


# --- Send-back and resubmission -------------------------------------------------------------


@pytest.fixture
def submitted(audit):
    audit_submit(audit=audit, by=audit.auditor, data=complete_input(audit), expected_version=0)
    audit.refresh_from_db()
    return audit


@pytest.mark.django_db
def test_only_the_qa_team_sends_back(submitted):
    with pytest.raises(AuditError, match="QA team"):
        audit_send_back(audit=submitted, by=submitted.auditor, reason="No evidence")


@pytest.mark.django_db
def test_send_back_needs_a_reason(submitted):
    with pytest.raises(AuditError, match="Say why"):
        audit_send_back(audit=submitted, by=QualityFactory(), reason="  ")


@pytest.mark.django_db
def test_only_a_submitted_audit_can_be_sent_back(audit):
    with pytest.raises(AuditNotEditable, match="in progress"):
        audit_send_back(audit=audit, by=QualityFactory(), reason="Too thin")
    assert not SendBack.objects.exists()


@pytest.mark.django_db
def test_send_back_returns_the_audit_to_the_auditor_and_tells_them_why(submitted, django_capture_on_commit_callbacks):
    quality = QualityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        send_back = audit_send_back(audit=submitted, by=quality, reason="Evidence is <b>copied</b> from the plan.")
    submitted.refresh_from_db()
    assert submitted.status == Audit.Status.SENT_BACK
    assert not submitted.is_returned
    assert submitted.final_grade == ""
    assert send_back.by == quality
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [submitted.auditor.email]
    assert "Evidence is <b>copied</b> from the plan." in mail.outbox[0].body
    send_back.refresh_from_db()
    assert send_back.auditor_notified_at is not None


@pytest.mark.django_db
def test_resubmission_after_send_back_keeps_every_send_back(submitted):
    quality = QualityFactory()
    for round_number in (1, 2):
        audit_send_back(audit=submitted, by=quality, reason=f"Round {round_number}")
        submitted.refresh_from_db()
        audit_submit(
            audit=submitted, by=submitted.auditor, data=complete_input(submitted), expected_version=submitted.version
        )
        submitted.refresh_from_db()
    assert submitted.status == Audit.Status.SUBMITTED
    assert submitted.final_grade == "good"
    reasons = list(submitted.send_backs.order_by("at", "pk").values_list("reason", "resubmitted_at"))
    assert [reason for reason, _ in reasons] == ["Round 1", "Round 2"]
    assert all(resubmitted is not None for _, resubmitted in reasons)


@pytest.mark.django_db
def test_a_resubmission_after_the_due_date_is_late(submitted):
    audit_send_back(audit=submitted, by=QualityFactory(), reason="Thin")
    submitted.refresh_from_db()
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=LONDON), tick=False):
        audit_submit(
            audit=submitted, by=submitted.auditor, data=complete_input(submitted), expected_version=submitted.version
        )
    submitted.refresh_from_db()
    assert submitted.submitted_on == datetime.date(2026, 11, 27)
    assert submitted.is_late


# --- Concurrency on a real database server -------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write, so it cannot show two submits racing; CI runs this on PostgreSQL.",
)
def test_two_tabs_submitting_at_the_same_moment_submit_once():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), tick=False):
        audit = audit_with_areas(areas=2, month=NOVEMBER, due_on=datetime.date(2026, 11, 25))
        data = complete_input(audit)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(token):
        try:
            barrier.wait()
            audit_submit(audit=audit, by=audit.auditor, data=data, expected_version=0, editor_token=token)
            outcomes.append("submitted")
        except AuditError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(token,)) for token in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["AuditNotEditable", "submitted"]
    assert audit.history.filter(history_change_reason="Submitted").count() == 1
