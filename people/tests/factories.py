import factory
from factory.django import DjangoModelFactory

from people.models import ServiceArea, Team, User


class ServiceAreaFactory(DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("name",)

    name = "Children's Social Care"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n:03d}")
    service_area = factory.SubFactory(ServiceAreaFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("demo")

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)


class AuditorFactory(UserFactory):
    is_auditor = True


class ModeratorFactory(UserFactory):
    is_moderator = True


class QualityFactory(UserFactory):
    is_quality = True


class ManagerFactory(UserFactory):
    is_manager = True
