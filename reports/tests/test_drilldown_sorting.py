"""The audits behind a report figure sort by their column headers, keeping the figure's filters."""

import datetime

import pytest
from django.urls import reverse

from audits.models import Audit
from audits.tests.factories import AuditFactory
from people.tests.factories import AuditorFactory, QualityFactory, TeamFactory
from qa_portal.tests.sorting import assert_each_column_sorts, query_counts_by_sort

pytestmark = pytest.mark.django_db

D = datetime.date
DRILLDOWN = reverse("reports:drilldown")
COLUMNS = {
    "month": lambda a: a.month,
    "child": lambda a: a.child.case_ref,
    "team": lambda a: a.team.name,
    "auditor": lambda a: a.auditor.last_name,
    "legal_status": lambda a: a.legal_status,
    "due": lambda a: a.due_on,
    "submitted": lambda a: a.submitted_on,
}


def _audits(n=1):
    teams = TeamFactory(), TeamFactory()
    for i in range(4 * n):
        month = D(2026, 8 + i % 3, 1)
        AuditFactory(
            returned=i % 4 != 3,
            month=month,
            due_on=month.replace(day=20 + i % 5),
            child__case_ref=f"D{n}{(3 * i) % 10}{i:04d}",
            child__team=teams[i % 2],
            child__legal_status=["CIN", "CP", "CLA"][i % 3],
            auditor=AuditorFactory(last_name=f"Auditor{(5 * i) % 7}"),
        )
    Audit.objects.filter(status=Audit.Status.SUBMITTED).update(submitted_on=None)
    for i, audit in enumerate(Audit.objects.filter(status=Audit.Status.SUBMITTED).order_by("pk")):
        Audit.objects.filter(pk=audit.pk).update(submitted_on=audit.due_on - datetime.timedelta(days=(4 * i) % 9))


def test_every_drilldown_column_sorts_both_ways_within_the_figures_filters(client):
    _audits()
    client.force_login(QualityFactory())
    filters = {"month_from": "2026-08", "month_to": "2026-10"}
    assert_each_column_sorts(client, DRILLDOWN, COLUMNS, lambda r: r.context["audits"], params=filters)
    body = client.get(DRILLDOWN, {**filters, "sort": "team"}).content.decode()
    assert 'href="?month_from=2026-08&amp;month_to=2026-10&amp;sort=-team"' in body
    assert '<input type="hidden" name="sort" value="team">' in body  # changing a filter keeps the sort


def test_sorting_the_drilldown_costs_no_extra_query_as_the_data_grows(client):
    _audits()
    client.force_login(QualityFactory())
    sorts = [s for param in COLUMNS for s in (param, f"-{param}")]
    small = query_counts_by_sort(client, DRILLDOWN, sorts, params={"month_from": "2026-08"})
    assert len(set(small.values())) == 1, small
    _audits(n=4)
    assert query_counts_by_sort(client, DRILLDOWN, sorts, params={"month_from": "2026-08"}) == small
