"""The import history sorts by its column headers, in constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportRun
from people.tests.factories import QualityFactory
from qa_portal.tests.sorting import assert_each_column_sorts, query_counts_by_sort

pytestmark = pytest.mark.django_db


def _sorts(columns) -> list[str]:
    return [s for param in columns for s in (param, f"-{param}")]


# --- Import history -----------------------------------------------------------------------------------------------

IMPORTS = reverse("imports:history")
IMPORT_COLUMNS = {
    "uploaded": lambda r: r.created_at,
    "by": lambda r: r.by.last_name,
    "status": lambda r: r.status,
    "rows": lambda r: r.rows_total,
}


def _runs(n=1):
    statuses = [ImportRun.Status.DONE, ImportRun.Status.FAILED, ImportRun.Status.PREVIEWED]
    for i in range(3 * n):
        run = ImportRun.objects.create(
            by=QualityFactory(last_name=f"Officer{(2 * i) % 5}"),
            audits_filename=f"tracker-{i}.csv",
            status=statuses[i % 3],
            rows_total=(7 * i) % 11,
            counts={"audits": {"created": 1, "updated": 0}, "actions": {"created": 0}, "problems": 0},
            problems=[],
        )
        ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(hours=5 * i))


def test_every_import_history_column_sorts_both_ways(client):
    _runs()
    client.force_login(QualityFactory())
    assert_each_column_sorts(client, IMPORTS, IMPORT_COLUMNS, lambda r: list(r.context["runs"]))


def test_the_import_history_pager_keeps_the_sort_and_sorting_costs_no_extra_query(client):
    _runs(n=9)  # 27 runs: two pages of 25
    client.force_login(QualityFactory())
    body = client.get(IMPORTS, {"sort": "rows"}).content.decode()
    assert 'href="?sort=rows&amp;page=2"' in body
    small = query_counts_by_sort(client, IMPORTS, _sorts(IMPORT_COLUMNS))
    assert len(set(small.values())) == 1, small
    _runs(n=5)
    assert query_counts_by_sort(client, IMPORTS, _sorts(IMPORT_COLUMNS)) == small
