"""Months and days out of any sensible range (year 1, year 9999) get a message at the field: never a 500, never stored.

Every page that takes a month or a date shares common.forms' SensibleMonthField and SensibleDateField (2000 to 2099);
the admin's date fields use the same through QualityTeamAdminMixin.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from actions.tests.factories import ActionFactory
from allocation.models import Exemption
from audits.completion_forms import ActionForm
from people.tests.factories import AuditorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE_DAYS = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"]
DAY_MESSAGE = "Enter a date from 1 Jan 2000 to 31 Dec 2099."
MONTH_MESSAGE = "Enter a month from January 2000 to December 2099, for example 2026-12."


@pytest.fixture
def quality_client():
    client = Client(raise_request_exception=False)
    client.force_login(QualityFactory(username="quality"))
    return client


@pytest.mark.parametrize("name", ["moderation:sample", "moderation:panel", "moderation:effect"])
@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2100-01"])
def test_moderation_pages_answer_a_month_out_of_range_with_a_message(quality_client, name, month):
    response = quality_client.get(reverse(name), {"month": month})

    assert response.status_code == 200
    assert MONTH_MESSAGE in response.content.decode()


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
def test_moving_an_actions_due_date_out_of_range_is_refused_and_not_stored(day):
    action = ActionFactory(due_on=datetime.date(2026, 12, 1))
    client = Client(raise_request_exception=False)
    client.force_login(action.owner)

    response = client.post(
        reverse("actions:move_due", args=[action.pk]), {"move-new_due_on": day, "move-reason": "Court moved"}
    )

    assert response.status_code in (200, 400)
    assert DAY_MESSAGE in response.content.decode()
    action.refresh_from_db()
    assert action.due_on == datetime.date(2026, 12, 1)
    assert not action.changes.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_completing_an_action_on_a_day_out_of_range_is_refused(day):
    action = ActionFactory(due_on=datetime.date(2026, 12, 1))
    client = Client(raise_request_exception=False)
    client.force_login(action.owner)

    response = client.post(
        reverse("actions:complete", args=[action.pk]), {"complete-on": day, "complete-note": "Visited"}
    )

    assert response.status_code in (200, 400)
    assert DAY_MESSAGE in response.content.decode()
    action.refresh_from_db()
    assert action.completed_on is None


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
def test_an_audit_action_row_with_a_due_date_out_of_range_has_the_message_at_the_field(day):
    owner = UserFactory()
    form = ActionForm(
        data={"description": "Update the chronology", "owner": str(owner.pk), "due_on": day},
        action_ids=frozenset(),
        owner_choices=[("", "Choose"), (str(owner.pk), "Owner")],
        owner_options="",
        staff={str(owner.pk): owner},
    )

    assert not form.is_valid()
    assert form.errors["due_on"] == [DAY_MESSAGE]
    assert 'min="2000-01-01"' in str(form["due_on"]) and 'max="2099-12-31"' in str(form["due_on"])


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "month", "month": "0001-01", "approved_by": "Director"},
        {"kind": "month", "month": "9999-12", "approved_by": "Director"},
        {"kind": "standing", "starts_on": "0001-01-01"},
        {"kind": "standing", "starts_on": "2026-11-01", "ends_on": "9999-12-31"},
    ],
)
def test_the_exemption_form_refuses_a_month_or_day_out_of_range(quality_client, fields):
    auditor = AuditorFactory()

    response = quality_client.post(
        reverse("allocation:exemption_grant"),
        {"user": auditor.pk, "reason": Exemption.Reason.OTHER, "detail": "", **fields},
    )

    assert response.status_code in (200, 400)
    # The exemption form's own window (a year back, three ahead) is narrower, and its message says so.
    assert 'class="alert-link">Enter a ' in response.content.decode()
    assert not Exemption.objects.exists()


def test_the_admins_exemption_form_refuses_year_one(quality_client):
    auditor = AuditorFactory()

    response = quality_client.post(
        reverse("admin:allocation_exemption_add"),
        {
            "user": auditor.pk,
            "kind": Exemption.Kind.STANDING,
            "reason": Exemption.Reason.OTHER,
            "starts_on": "01/01/0001",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert DAY_MESSAGE in response.content.decode()
    assert not Exemption.objects.exists()
