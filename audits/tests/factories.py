import datetime

import factory
from factory.django import DjangoModelFactory

from audits.models import AreaGrade, Audit, Child, LegalStatus, PracticeArea, TemplateVersion
from people.tests.factories import AuditorFactory, TeamFactory


class TemplateVersionFactory(DjangoModelFactory):
    class Meta:
        model = TemplateVersion
        django_get_or_create = ("number",)

    number = 1
    is_current = True


class PracticeAreaFactory(DjangoModelFactory):
    class Meta:
        model = PracticeArea

    template = factory.SubFactory(TemplateVersionFactory)
    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Practice area {n}")
    order = factory.Sequence(int)


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    case_ref = factory.Sequence(lambda n: f"C{n:06d}")
    team = factory.SubFactory(TeamFactory)
    legal_status = LegalStatus.CIN


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
