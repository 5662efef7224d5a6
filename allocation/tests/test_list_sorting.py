"""The exemption list sorts by its column headers, in constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from allocation.models import Exemption
from allocation.tests.factories import ExemptionFactory
from people.tests.factories import AuditorFactory, QualityFactory
from qa_portal.tests.sorting import assert_each_column_sorts, query_counts_by_sort

pytestmark = pytest.mark.django_db


def _sorts(columns) -> list[str]:
    return [s for param in columns for s in (param, f"-{param}")]


# --- Exemptions ---------------------------------------------------------------------------------------------------

EXEMPTIONS = reverse("allocation:exemption_list")
EXEMPTION_COLUMNS = {
    "person": lambda e: e.user.last_name,
    "kind": lambda e: e.kind,
    "reason": lambda e: e.reason,
    "approved_by": lambda e: e.approved_by,
    "status": lambda e: e.is_active,
    "granted": lambda e: e.created_at,
}


def _exemptions(n=1):
    for i in range(3 * n):
        exemption = ExemptionFactory(
            user=AuditorFactory(last_name=f"Name{(5 * i) % 7}"),
            is_active=i % 2 == 0,
            reason=[Exemption.Reason.ABSENCE, Exemption.Reason.PART_TIME, Exemption.Reason.OTHER][i % 3],
            **({"single_month": True, "approved_by": f"Director {i % 2}"} if i % 3 == 1 else {}),
        )
        Exemption.objects.filter(pk=exemption.pk).update(created_at=timezone.now() - datetime.timedelta(days=i * 3))


def test_every_exemption_column_sorts_both_ways(client):
    _exemptions()
    client.force_login(QualityFactory())
    assert_each_column_sorts(client, EXEMPTIONS, EXEMPTION_COLUMNS, lambda r: r.context["exemptions"])


def test_sorting_exemptions_keeps_the_filter_and_costs_no_extra_query_as_the_data_grows(client):
    _exemptions()
    client.force_login(QualityFactory())
    body = client.get(EXEMPTIONS, {"is_active": "true", "sort": "person"}).content.decode()
    assert 'href="?is_active=true&amp;sort=-person"' in body
    small = query_counts_by_sort(client, EXEMPTIONS, _sorts(EXEMPTION_COLUMNS))
    assert len(set(small.values())) == 1, small
    _exemptions(n=4)
    assert query_counts_by_sort(client, EXEMPTIONS, _sorts(EXEMPTION_COLUMNS)) == small
