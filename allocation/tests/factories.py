"""Factories for the allocation tests: month plans, proposal lines and exemptions."""

import datetime

import factory
from factory.django import DjangoModelFactory

from allocation.models import Exemption, MonthPlan, ProposedAllocation
from caseload.tests.factories import ChildFactory
from people.tests.factories import AuditorFactory


class MonthPlanFactory(DjangoModelFactory):
    class Meta:
        model = MonthPlan
        django_get_or_create = ("month",)

    month = datetime.date(2026, 12, 1)


class ProposedAllocationFactory(DjangoModelFactory):
    class Meta:
        model = ProposedAllocation

    plan = factory.SubFactory(MonthPlanFactory)
    auditor = factory.SubFactory(AuditorFactory)
    child = factory.SubFactory(ChildFactory)
    reason = "never audited"


class ExemptionFactory(DjangoModelFactory):
    """A standing exemption; `single_month=True` gives one for December 2026 approved by a director."""

    class Meta:
        model = Exemption

    user = factory.SubFactory(AuditorFactory)
    kind = Exemption.Kind.STANDING
    reason = Exemption.Reason.ABSENCE

    class Params:
        single_month = factory.Trait(
            kind=Exemption.Kind.SINGLE_MONTH,
            month=datetime.date(2026, 12, 1),
            reason=Exemption.Reason.OTHER_QA,
            approved_by="Director of Children's Safeguarding",
        )
