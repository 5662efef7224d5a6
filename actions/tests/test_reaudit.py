"""A child whose audit was graded Inadequate is proposed for a re-audit about three months later (issue 4/6).

The rule lives in allocation (`audits.services.month_plan_propose`); this test
holds the Child of Concern journey to it end to end: the grade goes through
`audit_set_final_grade`, which raises the concern, and the proposal three
months on carries the child with the reason "re-audit after Inadequate".
"""

import datetime

import pytest

from actions.models import ChildOfConcern
from audits.grading import audit_set_final_grade
from audits.models import Audit, Grade, ProposedAllocation
from audits.services import month_plan_propose
from audits.tests.factories import AuditFactory, ChildFactory
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
    assert line.kind == ProposedAllocation.Kind.REAUDIT
    assert line.reason.startswith("re-audit after Inadequate")


def test_a_grade_lifted_by_moderation_is_not_re_audited(today):
    child = _inadequate_in(D(2026, 9, 1), moderated_to=Grade.REQUIRES_IMPROVEMENT)
    assert ChildOfConcern.objects.get(child=child).grade_lifted_at is not None
    AuditorFactory()
    plan = month_plan_propose(month=D(2026, 12, 1), by=QualityFactory(), seed=3)
    assert not plan.proposals.filter(kind=ProposedAllocation.Kind.REAUDIT).exists()
