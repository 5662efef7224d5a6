"""Children's flags (from the caseload extract) select cohorts: the admin's children list filters on them."""

import pytest
from django.urls import reverse

from caseload.models import Flag
from caseload.tests.factories import ChildFactory
from people.tests.factories import QualityFactory

pytestmark = pytest.mark.django_db


def test_the_qa_team_filters_children_by_flag_in_the_admin(client):
    plo = Flag.objects.create(name="plo")
    ChildFactory(case_ref="WITH-PLO").flags.add(plo)
    ChildFactory(case_ref="WITHOUT")
    client.force_login(QualityFactory(is_staff=True))

    page = client.get(reverse("admin:caseload_child_changelist"), {"flags__id__exact": plo.pk}).content.decode()

    assert "WITH-PLO" in page
    assert "WITHOUT" not in page
