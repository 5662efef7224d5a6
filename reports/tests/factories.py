import datetime

import factory
from factory.django import DjangoModelFactory

from people.tests import factories as people
from reports.models import ReportDocument, ReportNarrative

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
