import factory
from factory.django import DjangoModelFactory

from caseload.models import Child, LegalStatus
from people.tests.factories import TeamFactory


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    case_ref = factory.Sequence(lambda n: f"C{n:06d}")
    team = factory.SubFactory(TeamFactory)
    legal_status = LegalStatus.CIN
