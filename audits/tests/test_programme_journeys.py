"""Every journey works for a programme other than the monthly audit: a themed audit with its own questions,
"not graded" allowed, and its own moderation rule (issue 13)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from actions.models import Action, ChildOfConcern
from actions.services import action_complete
from audits.completion import AuditIncomplete, audit_send_back, audit_submission_problems, audit_submit
from audits.models import NOT_GRADED, Audit, Programme, TemplateVersion, monthly_programme
from audits.template_selectors import template_current
from audits.templates_services import template_create_draft, template_publish
from audits.tests.completion_helpers import an_action, audit_with_areas, complete_input, form_data
from audits.tests.factories import AuditFactory, PracticeAreaFactory, ProgrammeFactory, TemplateVersionFactory
from moderation.models import Moderation
from moderation.services import moderation_record
from people.tests.factories import ModeratorFactory, QualityFactory

LONDON = ZoneInfo("Europe/London")
NOVEMBER = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 11, 21)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), tick=False):
        yield


def themed_audit(**programme_fields) -> Audit:
    """An audit of a themed programme whose own template asks two questions."""
    programme = ProgrammeFactory(name="Children in need over 12 months", **programme_fields)
    template = TemplateVersionFactory(programme=programme, number=1, is_current=True)
    for order in range(2):
        PracticeAreaFactory(template=template, order=order)
    return AuditFactory(template=template, programme=programme, month=NOVEMBER, due_on=datetime.date(2026, 11, 25))


def submit(audit: Audit, **fields) -> Audit:
    audit_submit(audit=audit, by=audit.auditor, data=complete_input(audit, **fields), expected_version=audit.version)
    audit.refresh_from_db()
    return audit


def test_a_not_graded_audit_is_returned_with_no_grade_and_raises_no_child_of_concern():
    audit = submit(themed_audit(allows_not_graded=True), auditor_grade=NOT_GRADED)
    assert audit.is_returned and audit.final_grade == NOT_GRADED
    assert Audit.objects.returned().filter(final_grade=NOT_GRADED).get() == audit
    assert not ChildOfConcern.objects.exists()


def test_an_immediate_concern_still_raises_a_child_of_concern_on_a_not_graded_audit():
    audit = submit(
        themed_audit(allows_not_graded=True),
        auditor_grade=NOT_GRADED,
        immediate_concern=True,
        immediate_concern_detail="Bruising seen.",
    )
    assert ChildOfConcern.objects.get(audit=audit).trigger == ChildOfConcern.Trigger.IMMEDIATE_CONCERN


def test_a_programme_that_does_not_allow_it_refuses_not_graded():
    for audit in (themed_audit(allows_not_graded=False), audit_with_areas(month=NOVEMBER)):
        problems = audit_submission_problems(
            audit=audit, data=complete_input(audit, auditor_grade=NOT_GRADED), today=TODAY
        )
        assert [p.field for p in problems] == ["auditor_grade"]
        with pytest.raises(AuditIncomplete):
            submit(audit, auditor_grade=NOT_GRADED)


def test_the_form_offers_not_graded_only_where_the_programme_allows_it(client):
    allowed, graded_only = themed_audit(allows_not_graded=True), audit_with_areas(month=NOVEMBER)
    for audit, offered in ((allowed, True), (graded_only, False)):
        client.force_login(audit.auditor)
        page = client.get(reverse("audits:audit_edit", args=[audit.pk])).content.decode()
        assert ('value="not_graded"' in page) is offered
    # A post of the value where it is not offered is refused at the field, and nothing is submitted.
    client.force_login(graded_only.auditor)
    response = client.post(
        reverse("audits:audit_submit", args=[graded_only.pk]), form_data(graded_only, auditor_grade=NOT_GRADED)
    )
    assert "Select a valid choice" in response.content.decode()
    graded_only.refresh_from_db()
    assert graded_only.status == Audit.Status.DRAFT


def test_the_themed_audit_asks_its_own_questions():
    audit = themed_audit()
    assert set(audit.template.areas.values_list("pk", flat=True)) == {ag.area_id for ag in complete_input(audit).areas}
    assert audit.template.programme == audit.programme != monthly_programme()


@pytest.mark.parametrize(
    ("rule", "grade", "sampled"),
    [
        (Programme.ModerationRule.ALL, "good", True),
        (Programme.ModerationRule.NONE, "inadequate", False),
        (Programme.ModerationRule.SAMPLE, "good", False),
    ],
)
def test_moderation_follows_the_programmes_rule(rule, grade, sampled):
    # sample_percent 0 with the SAMPLE rule: only the policy's mandatory reasons (here, a new auditor) could pick it.
    audit = themed_audit(moderation_rule=rule, sample_percent=0)
    # The auditor is not new: three earlier returns stop that mandatory rule applying.
    for _ in range(3):
        AuditFactory(auditor=audit.auditor, returned=True, month=datetime.date(2026, 10, 1))
    extra = {"actions": [an_action()]} if grade == "inadequate" else {}
    submit(audit, auditor_grade=grade, **extra)
    assert Moderation.objects.filter(audit=audit).exists() is sampled


def test_a_themed_audit_goes_through_moderation_send_back_actions_and_history():
    audit = themed_audit(moderation_rule=Programme.ModerationRule.ALL)
    audit = submit(audit, auditor_grade="requires_improvement", actions=[an_action()])
    quality = QualityFactory()

    # Sent back, it stops counting as returned; resubmitted, it counts again.
    audit_send_back(audit=audit, by=quality, reason="The evidence is thin.")
    audit.refresh_from_db()
    assert not audit.is_returned and audit.final_grade == ""
    audit = submit(audit, auditor_grade="good")
    assert audit.is_returned and audit.final_grade == "good"

    # Moderated by the programme's rule (every audit): the moderator's grade becomes final and raises the concern.
    moderation = Moderation.objects.get(audit=audit)
    moderator = ModeratorFactory()
    Moderation.objects.filter(pk=moderation.pk).update(moderator=moderator)
    moderation.refresh_from_db()
    moderation_record(
        moderation=moderation,
        moderator=moderator,
        grade="inadequate",
        rationale="Risk was not responded to.",
        feedback="Look again at the risk.",
        expected_version=moderation.version,
    )
    audit.refresh_from_db()
    assert audit.final_grade == "inadequate"
    assert ChildOfConcern.objects.get(audit=audit).trigger == ChildOfConcern.Trigger.INADEQUATE

    action = Action.objects.get(audit=audit)
    action_complete(action=action, by=action.owner, on=TODAY, note="Done.")
    assert Action.objects.get(pk=action.pk).completed_on == TODAY
    reasons = list(audit.history.values_list("history_change_reason", flat=True))
    assert len(reasons) >= 3


def test_a_not_graded_audit_moderated_with_a_grade_moves_no_grade_up_or_down():
    audit = submit(
        themed_audit(allows_not_graded=True, moderation_rule=Programme.ModerationRule.ALL), auditor_grade=NOT_GRADED
    )
    moderation = Moderation.objects.get(audit=audit)
    moderator = ModeratorFactory()
    Moderation.objects.filter(pk=moderation.pk).update(moderator=moderator)
    moderation.refresh_from_db()
    moderation_record(
        moderation=moderation, moderator=moderator, grade="good", rationale="", feedback="Fine.", expected_version=0
    )
    moderation.refresh_from_db()
    assert moderation.outcome == Moderation.Outcome.AGREED
    audit.refresh_from_db()
    assert audit.final_grade == "good"


def test_a_programmes_template_is_its_own_and_starts_from_the_monthly_audits_areas():
    quality = QualityFactory()
    programme = ProgrammeFactory()
    monthly_current = template_current()
    draft = template_create_draft(by=quality, programme=programme)
    assert (draft.programme, draft.number) == (programme, 1)
    assert list(draft.areas.values_list("slug", flat=True)) == list(
        monthly_current.areas.values_list("slug", flat=True)
    )
    template_publish(version=draft, by=quality)
    assert template_current(programme) == draft
    assert template_current() == monthly_current
    assert TemplateVersion.objects.filter(is_current=True).count() == 2
