"""Admin pages of the models that moved app in issue 11 still answer at the addresses people bookmarked."""

import pytest

from allocation.tests.factories import ExemptionFactory
from caseload.tests.factories import ChildFactory
from people.tests.factories import QualityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/audits/child/", "/admin/caseload/child/"),
        ("/admin/audits/child/?q=C00&is_open__exact=1", "/admin/caseload/child/?q=C00&is_open__exact=1"),
        ("/admin/audits/child/{child}/change/", "/admin/caseload/child/{child}/change/"),
        ("/admin/audits/child/{child}/history/", "/admin/caseload/child/{child}/history/"),
        ("/admin/audits/exemption/", "/admin/allocation/exemption/"),
        ("/admin/audits/exemption/{exemption}/change/", "/admin/allocation/exemption/{exemption}/change/"),
    ],
)
def test_an_old_admin_address_leads_to_the_same_page_at_its_new_address(client, old, new):
    ids = {"child": ChildFactory().pk, "exemption": ExemptionFactory().pk}
    client.force_login(QualityFactory())

    response = client.get(old.format(**ids))

    assert response.status_code == 301
    assert response.url == new.format(**ids)
    assert client.get(response.url).status_code == 200


def test_the_admin_pages_left_in_the_audits_app_are_not_redirected(client):
    client.force_login(QualityFactory())
    assert client.get("/admin/audits/policy/").status_code in (200, 302)
    assert client.get("/admin/audits/").status_code == 200
