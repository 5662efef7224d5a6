"""The people pickers (action owners): sorted by surname and shown surname first, with job and teams."""

import pytest

from people.selectors import staff_choice_label, staff_choices
from people.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_people_are_shown_as_they_are_sorted_surname_first_with_job_title_and_teams():
    khan = UserFactory(first_name="Aisha", last_name="Khan", job_title="Advanced Practitioner")
    khan.teams.add(TeamFactory(name="Children in Care"))
    price = UserFactory(first_name="Daniel", last_name="Price", job_title="Team Manager, Safeguarding")
    price.teams.add(TeamFactory(name="Safeguarding South"), TeamFactory(name="Safeguarding North"))
    UserFactory(first_name="Ben", last_name="Adams", job_title="")
    UserFactory(first_name="", last_name="", username="duty.desk")
    UserFactory(first_name="Zoe", last_name="Young", job_title="").teams.add(TeamFactory(name="Care Leavers"))
    UserFactory(first_name="Gone", last_name="Away", is_active=False)

    assert [staff_choice_label(user) for user in staff_choices()] == [
        "duty.desk",
        "Adams, Ben",
        "Khan, Aisha — Advanced Practitioner (Children in Care)",
        "Price, Daniel — Team Manager, Safeguarding (Safeguarding North, Safeguarding South)",
        "Young, Zoe — Care Leavers",
    ]


def test_the_labels_of_a_long_list_take_two_queries(django_assert_num_queries):
    for number in range(30):
        UserFactory(last_name=f"Surname{number:02d}").teams.add(TeamFactory())
    with django_assert_num_queries(2):
        labels = [staff_choice_label(user) for user in staff_choices()]
    assert len(labels) == 30


def test_administrator_accounts_without_a_team_or_role_are_not_offered_as_owners():
    UserFactory(username="admin", first_name="", last_name="", is_superuser=True, is_staff=True)
    UserFactory(username="it.support", first_name="", last_name="", is_staff=True)
    head = UserFactory(first_name="Hana", last_name="Quality", is_superuser=True, is_quality=True)
    lead = UserFactory(first_name="Lee", last_name="Lead", is_staff=True)
    lead.teams.add(TeamFactory(name="Fostering"))
    worker = UserFactory(first_name="Wes", last_name="Worker")

    assert set(staff_choices()) == {head, lead, worker}
