"""Months out of any sensible range on My audits: a clear message at the field, never a 500."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import Audit
from audits.tests.factories import AuditFactory
from people.tests.factories import AuditorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocation_today")]  # 21 Nov 2026


# --- My audits' month filter ---------------------------------------------------------------------------


@pytest.fixture
def auditor_client():
    auditor = AuditorFactory()
    AuditFactory(auditor=auditor, month=datetime.date(2026, 11, 1))
    AuditFactory(auditor=auditor, month=datetime.date(2026, 10, 1))
    client = Client(raise_request_exception=False)
    client.force_login(auditor)
    return client


def test_my_audits_filters_by_month(auditor_client):
    response = auditor_client.get(reverse("audits:my_audits"), {"month": "2026-10"})

    assert response.status_code == 200
    assert [audit.month for audit in response.context["audits"]] == [datetime.date(2026, 10, 1)]


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "December"])
def test_a_bad_month_on_my_audits_is_a_message_at_the_field(auditor_client, month):
    response = auditor_client.get(reverse("audits:my_audits"), {"month": month})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a month from January 2000 to December 2099, for example 2026-12." in page
    assert "that match the filter" in page
    assert Audit.objects.count() == 2
