"""A child whose audit was graded Inadequate is proposed for a re-audit about three months later (issue 4/6).

The rule lives in allocation (`allocation.services.month_plan_propose`); this test
holds the Child of Concern journey to it end to end: the grade goes through
`audit_set_final_grade`, which raises the concern, and the proposal three
months on carries the child with the reason "re-audit after Inadequate".
"""

import datetime

import pytest

from actions.models import Action, ChildOfConcern
from actions.tests.factories import ActionFactory
from allocation.services import month_plan_confirm, month_plan_propose
from audits.grading import audit_set_final_grade
from audits.models import Audit, AuditKind, Grade
from audits.reaudits import reaudit_comparison
from audits.tests.factories import AuditFactory
from caseload.tests.factories import ChildFactory
from moderation.models import Moderation
from people.tests.factories import AuditorFactory, ModeratorFactory, QualityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _inadequate_in(month, *, moderated_to=None):
    child = ChildFactory(team=TeamFactory())
    audit = AuditFactory(
        child=child,
        month=month,
        auditor=UserFactory(),  # not an auditor: the past audit must not add one to the pool
        status=Audit.Status.SUBMITTED,
        submitted_on=month.replace(day=20),
        auditor_grade=Grade.INADEQUATE,
    )
    audit_set_final_grade(audit=audit)
    if moderated_to:
        Moderation.objects.create(
            audit=audit,
            sample_reason=Moderation.SampleReason.INADEQUATE,
            moderator=ModeratorFactory(),
            status=Moderation.Status.COMPLETED,
            grade=moderated_to,
            moderated_on=month.replace(day=28),
        )
        audit_set_final_grade(audit=Audit.objects.get(pk=audit.pk))
    return child


def test_an_inadequate_audit_is_proposed_for_re_audit_three_months_later(today):
    child = _inadequate_in(D(2026, 9, 1))
    assert ChildOfConcern.objects.filter(child=child).count() == 1
    ChildFactory.create_batch(5, team=TeamFactory())  # routine candidates compete for the auditor
    AuditorFactory()

    november = month_plan_propose(month=D(2026, 11, 1), by=QualityFactory(), seed=3)
    assert not november.proposals.filter(child=child).exists()  # two months on: too soon

    plan = month_plan_propose(month=D(2026, 12, 1), by=QualityFactory(), seed=3)
    line = plan.proposals.get(child=child)
    assert line.kind == AuditKind.REAUDIT
    assert line.reason.startswith("re-audit after Inadequate")


def test_a_grade_lifted_by_moderation_is_not_re_audited(today):
    child = _inadequate_in(D(2026, 9, 1), moderated_to=Grade.REQUIRES_IMPROVEMENT)
    assert ChildOfConcern.objects.get(child=child).grade_lifted_at is not None
    AuditorFactory()
    plan = month_plan_propose(month=D(2026, 12, 1), by=QualityFactory(), seed=3)
    assert not plan.proposals.filter(kind=AuditKind.REAUDIT).exists()


def test_a_confirmed_re_audit_is_linked_to_the_audit_it_follows_and_counts_its_actions(today):
    child = _inadequate_in(D(2026, 9, 1))
    earlier = Audit.objects.get(child=child)
    older = AuditFactory(child=child, month=D(2026, 3, 1), returned=True, auditor_grade=Grade.INADEQUATE)
    assert older.final_grade == Grade.INADEQUATE  # an older Inadequate is not the one re-audited
    done = ActionFactory(audit=earlier, due_on=D(2026, 10, 31), completed_on=D(2026, 10, 20))
    ActionFactory(audit=earlier, due_on=D(2026, 10, 31), completed_on=D(2026, 12, 30))  # after the re-audit
    ActionFactory(audit=earlier, due_on=D(2026, 11, 30))  # never completed
    auditor = AuditorFactory()
    quality = QualityFactory()

    plan = month_plan_propose(month=D(2026, 12, 1), by=quality, seed=3)
    assert plan.proposals.get(child=child).kind == AuditKind.REAUDIT
    month_plan_confirm(plan=plan, by=quality)

    reaudit = Audit.objects.get(child=child, month=D(2026, 12, 1))
    assert reaudit.auditor == auditor
    assert reaudit.reaudit_of == earlier
    Audit.objects.filter(pk=reaudit.pk).update(
        status=Audit.Status.SUBMITTED, submitted_on=D(2026, 12, 18), auditor_grade="good", final_grade="good"
    )
    comparison = reaudit_comparison(audit=Audit.objects.get(pk=reaudit.pk))
    # The reverse name audits.reaudits reads (`earlier.actions`) is actions.models.Action.audit's.
    assert Action._meta.get_field("audit").remote_field.related_name == "actions"
    assert (comparison.actions_total, comparison.actions_completed) == (3, 1)
    assert comparison.actions_by == D(2026, 12, 18) and comparison.actions_by_reaudit
    assert done.completed_on <= comparison.actions_by
    assert comparison.overall_change == "Better"


def test_a_routine_allocation_is_linked_to_nothing(today):
    ChildFactory(team=TeamFactory())
    AuditorFactory()
    quality = QualityFactory()
    plan = month_plan_propose(month=D(2026, 12, 1), by=quality, seed=3)
    audits = month_plan_confirm(plan=plan, by=quality)
    assert audits and all(audit.reaudit_of_id is None for audit in Audit.objects.all())
