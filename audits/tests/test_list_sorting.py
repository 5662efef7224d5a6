"""My audits sorts by its column headers, in constant queries."""

import datetime

import pytest
from django.urls import reverse

from audits.models import Audit
from audits.tests.factories import AuditFactory
from people.tests.factories import AuditorFactory, TeamFactory
from qa_portal.tests.sorting import assert_each_column_sorts, query_counts_by_sort

pytestmark = pytest.mark.django_db

D = datetime.date


def _sorts(columns) -> list[str]:
    return [s for param in columns for s in (param, f"-{param}")]


# --- My audits --------------------------------------------------------------------------------------------------

MY_AUDITS = reverse("audits:my_audits")
MY_AUDIT_COLUMNS = {
    "month": lambda a: a.month,
    "child": lambda a: a.child.case_ref,
    "team": lambda a: a.team.name,
    "legal_status": lambda a: a.legal_status,
    "due": lambda a: a.due_on,
    "status": lambda a: a.status,
}


def _my_audits(auditor, n=1):
    teams = TeamFactory(), TeamFactory()
    statuses = [Audit.Status.DRAFT, Audit.Status.SUBMITTED, Audit.Status.SENT_BACK]
    for i in range(3 * n):
        AuditFactory(
            auditor=auditor,
            month=D(2026, 9 + i % 3, 1),
            child__case_ref=f"C{n}{(7 * i) % 10}{i:05d}",
            child__team=teams[i % 2],
            child__legal_status=["CIN", "CP", "CLA"][(i + 1) % 3],
            status=statuses[(i + 2) % 3],
        )


def test_every_my_audits_column_sorts_both_ways(client):
    auditor = AuditorFactory()
    _my_audits(auditor)
    client.force_login(auditor)
    assert_each_column_sorts(client, MY_AUDITS, MY_AUDIT_COLUMNS, lambda r: r.context["audits"])


def test_my_audits_marks_the_newest_month_first_order_it_opens_with(client):
    auditor = AuditorFactory()
    _my_audits(auditor)
    client.force_login(auditor)
    body = client.get(MY_AUDITS).content.decode()
    assert 'aria-sort="descending"' in body and body.count("aria-sort=") == 1
    assert 'href="?sort=month"' in body  # the sorted column's link reverses it


def test_sorting_my_audits_costs_no_extra_query_as_the_data_grows(client):
    auditor = AuditorFactory()
    _my_audits(auditor)
    client.force_login(auditor)
    client.get(MY_AUDITS)
    small = query_counts_by_sort(client, MY_AUDITS, _sorts(MY_AUDIT_COLUMNS))
    assert len(set(small.values())) == 1, small
    _my_audits(auditor, n=4)
    assert query_counts_by_sort(client, MY_AUDITS, _sorts(MY_AUDIT_COLUMNS)) == small
