import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from audits.tests.factories import AuditFactory
from moderation.models import Moderation
from people.tests.factories import ModeratorFactory


class ModerationFactory(DjangoModelFactory):
    """A sampled, returned audit assigned to a moderator. `completed=True` gives a recorded moderation."""

    class Meta:
        model = Moderation

    audit = factory.SubFactory(AuditFactory, returned=True)
    sample_reason = Moderation.SampleReason.RANDOM
    moderator = factory.SubFactory(ModeratorFactory)
    assigned_at = factory.LazyFunction(timezone.now)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))

    class Params:
        completed = factory.Trait(
            status=Moderation.Status.COMPLETED,
            grade=factory.LazyAttribute(lambda m: m.audit.auditor_grade),
            outcome=Moderation.Outcome.AGREED,
            moderated_on=factory.LazyFunction(timezone.localdate),
        )
