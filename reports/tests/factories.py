import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from people.tests import factories as people
from reports.models import ReportDocument, ReportNarrative, ReportTargets

# Users that only ever sign in through `client.force_login` need no password; hashing "demo"
# costs about a second a user, which these tests would otherwise pay dozens of times.


class QualityFactory(people.QualityFactory):
    password = factory.django.Password(None)


class AuditorFactory(people.AuditorFactory):
    password = factory.django.Password(None)


class ModeratorFactory(people.ModeratorFactory):
    password = factory.django.Password(None)


class ManagerFactory(people.ManagerFactory):
    password = factory.django.Password(None)


class UserFactory(people.UserFactory):
    password = factory.django.Password(None)


class ReportNarrativeFactory(DjangoModelFactory):
    class Meta:
        model = ReportNarrative
        django_get_or_create = ("month",)

    month = datetime.date(2026, 10, 1)
    executive_summary = "Practice is improving but remains variable."
    updated_by = factory.SubFactory(QualityFactory)


class ReportDocumentFactory(DjangoModelFactory):
    class Meta:
        model = ReportDocument

    month = datetime.date(2026, 10, 1)
    as_of = datetime.date(2026, 10, 31)
    revision = factory.Sequence(lambda n: n + 1)
    requested_by = factory.SubFactory(QualityFactory)


class ReportTargetsFactory(DjangoModelFactory):
    """The demo's targets: 90 % returns, Inadequate below 10 %, 2 audits per team, 10-15 % moderator effect,
    80 % of actions on time."""

    class Meta:
        model = ReportTargets
        django_get_or_create = ("id",)

    id = ReportTargets.SINGLETON_PK
    returns_percent = Decimal("90")
    inadequate_below_percent = Decimal("10")
    audits_per_team_month = 2
    moderator_effect_low_percent = Decimal("10")
    moderator_effect_high_percent = Decimal("15")
    actions_on_time_percent = Decimal("80")
