import datetime

import factory
from factory.django import DjangoModelFactory

from audits.models import AreaGrade, Audit, PracticeArea, Programme, TemplateVersion, monthly_programme
from caseload.tests.factories import ChildFactory
from people.tests.factories import AuditorFactory


class ProgrammeFactory(DjangoModelFactory):
    """A themed audit; the monthly audit is `monthly_programme()`."""

    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Themed audit {n}")
    slug = factory.Sequence(lambda n: f"themed-audit-{n}")
    kind = Programme.Kind.THEMED


class TemplateVersionFactory(DjangoModelFactory):
    class Meta:
        model = TemplateVersion
        django_get_or_create = ("programme", "number")

    programme = factory.LazyFunction(monthly_programme)
    number = 1
    is_current = True


class PracticeAreaFactory(DjangoModelFactory):
    class Meta:
        model = PracticeArea

    template = factory.SubFactory(TemplateVersionFactory)
    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Practice area {n}")
    order = factory.Sequence(int)


class AuditFactory(DjangoModelFactory):
    """An allocation in progress. Use `submitted=True` style traits for later states."""

    class Meta:
        model = Audit

    month = datetime.date(2026, 10, 1)
    auditor = factory.SubFactory(AuditorFactory)
    child = factory.SubFactory(ChildFactory)
    team = factory.LazyAttribute(lambda a: a.child.team)
    service_area = factory.LazyAttribute(lambda a: a.team.service_area)
    legal_status = factory.LazyAttribute(lambda a: a.child.legal_status)
    social_worker = factory.LazyAttribute(lambda a: a.child.social_worker)
    template = factory.SubFactory(TemplateVersionFactory)
    programme = factory.LazyAttribute(lambda a: a.template.programme)
    due_on = factory.LazyAttribute(lambda a: a.month.replace(day=25))

    class Params:
        returned = factory.Trait(
            status=Audit.Status.SUBMITTED,
            submitted_on=factory.LazyAttribute(lambda a: a.due_on),
            auditor_grade="good",
            final_grade=factory.LazyAttribute(lambda a: a.auditor_grade),
        )


class AreaGradeFactory(DjangoModelFactory):
    class Meta:
        model = AreaGrade

    audit = factory.SubFactory(AuditFactory)
    area = factory.SubFactory(PracticeAreaFactory)
