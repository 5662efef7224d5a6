import datetime

import factory
from factory.django import DjangoModelFactory

from actions.models import Action, ChildOfConcern
from audits.tests.factories import AuditFactory
from people.tests.factories import UserFactory


class ActionFactory(DjangoModelFactory):
    """An action of a returned audit, owned by a practitioner, due in the audit's following month."""

    class Meta:
        model = Action

    audit = factory.SubFactory(AuditFactory, returned=True)
    description = factory.Sequence(lambda n: f"Update the chronology and the plan ({n})")
    owner = factory.SubFactory(UserFactory)
    due_on = datetime.date(2026, 11, 30)


class ChildOfConcernFactory(DjangoModelFactory):
    """A Child of Concern on a returned audit graded Inadequate, awaiting the team's response."""

    class Meta:
        model = ChildOfConcern

    audit = factory.SubFactory(AuditFactory, returned=True, auditor_grade="inadequate")
    child = factory.LazyAttribute(lambda c: c.audit.child)
    trigger = ChildOfConcern.Trigger.INADEQUATE
    raised_on = datetime.date(2026, 11, 16)
    response_due_on = datetime.date(2026, 11, 23)
    notified_at = factory.LazyAttribute(
        lambda c: datetime.datetime.combine(c.raised_on, datetime.time(9, 30), tzinfo=datetime.UTC)
    )
