"""Months and dates out of any sensible range, and runaway free text: a clear message at the field, never a 500,
never stored."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from allocation.models import Exemption
from allocation.services import ExemptionError, exemption_grant
from common.text_limits import LONG_TEXT_MAX
from people.tests.factories import AuditorFactory, QualityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocation_today")]  # 21 Nov 2026

DIRECTOR = "Director of Children's Safeguarding"


@pytest.fixture
def quality():
    return QualityFactory()


@pytest.fixture
def qa_client(quality):
    # raise_request_exception=False: a 500 shows as a status here, not as an exception in the test.
    client = Client(raise_request_exception=False)
    client.force_login(quality)
    return client


def grant(qa_client, **fields):
    data = {"user": AuditorFactory().pk, "kind": "month", "reason": "other", "approved_by": DIRECTOR, **fields}
    return qa_client.post(reverse("allocation:exemption_grant"), data)


# --- Allocation months in URLs ---------------------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "2026-00", "1999-12", "2100-01"])
def test_an_allocation_month_outside_the_range_is_not_found(qa_client, month):
    assert qa_client.get(f"/audits/allocation/{month}/").status_code == 404
    assert qa_client.post(f"/audits/allocation/{month}/propose/").status_code == 404


@pytest.mark.parametrize(
    ("month", "missing", "present"),
    [("2099-12", "January 2100", "November 2099"), ("2000-01", "December 1999", "February 2000")],
)
def test_the_first_and_last_months_have_no_link_beyond_them(qa_client, month, missing, present):
    response = qa_client.get(f"/audits/allocation/{month}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert missing not in page
    assert present in page


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "26-12", "../../admin"])
def test_a_bad_month_to_return_to_goes_back_to_the_exemption_list(qa_client, month):
    response = grant(qa_client, month="2026-12", return_month=month)

    assert response.status_code == 302
    assert response.url == reverse("allocation:exemption_list")
    assert Exemption.objects.count() == 1


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13"])
def test_a_bad_month_in_the_grant_pages_address_is_ignored(qa_client, month):
    response = qa_client.get(reverse("allocation:exemption_grant"), {"month": month})

    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{month}"' not in page
    assert 'class="breadcrumb-item"><a href="/audits/allocation/"' not in page  # no way back to a non-month


def test_a_good_month_in_the_grant_pages_address_fills_the_form_and_the_way_back(qa_client):
    page = qa_client.get(reverse("allocation:exemption_grant"), {"month": "2026-12"}).content.decode()

    assert 'name="month" value="2026-12"' in page
    assert 'name="return_month" value="2026-12"' in page


# --- Exemption months and dates ----------------------------------------------------------------------


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2025-10", "2029-12"])
def test_a_single_month_exemption_outside_the_window_is_refused_at_the_field(qa_client, month):
    response = grant(qa_client, month=month)

    assert response.status_code == 200
    assert (
        '<a href="#id_month" class="alert-link">Enter a month from November 2025 to November 2029.</a>'
        in response.content.decode()
    )
    assert not Exemption.objects.exists()


@pytest.mark.parametrize("month", ["2025-11", "2029-11"])
def test_the_ends_of_the_window_are_accepted(qa_client, month):
    assert grant(qa_client, month=month).status_code == 302
    assert Exemption.objects.get().month == datetime.date(int(month[:4]), int(month[5:]), 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("starts_on", "0001-01-01"), ("starts_on", "2025-10-31"), ("ends_on", "9999-12-31"), ("ends_on", "2029-12-01")],
)
def test_a_standing_exemption_date_outside_the_window_is_refused_at_the_field(qa_client, field, value):
    response = grant(qa_client, kind="standing", approved_by="", **{field: value})

    assert response.status_code == 200
    assert (
        f'<a href="#id_{field}" class="alert-link">Enter a date from 1 Nov 2025 to 30 Nov 2029.</a>'
        in response.content.decode()
    )
    assert not Exemption.objects.exists()


def test_the_service_refuses_a_month_in_year_one_whoever_calls_it(quality):
    with pytest.raises(ExemptionError) as error:
        exemption_grant(
            user=AuditorFactory(),
            kind=Exemption.Kind.SINGLE_MONTH,
            reason=Exemption.Reason.OTHER,
            month=datetime.date(1, 1, 1),
            approved_by=DIRECTOR,
            by=quality,
        )

    assert error.value.message_dict == {"month": ["Enter a month from November 2025 to November 2029."]}
    assert not Exemption.objects.exists()


def test_fields_of_the_kind_not_chosen_are_ignored(qa_client):
    # With the script, the other kind's fields are hidden; without it they show. Either way a value left in
    # them neither blocks nor changes the exemption.
    standing = grant(qa_client, kind="standing", month="9999-12", starts_on="2026-12-01")
    single = grant(qa_client, kind="month", month="2026-12", starts_on="0001-01-01", ends_on="nonsense")

    assert standing.status_code == single.status_code == 302
    assert list(Exemption.objects.order_by("pk").values_list("kind", "month", "starts_on", "ends_on")) == [
        ("standing", None, datetime.date(2026, 12, 1), None),
        ("month", datetime.date(2026, 12, 1), None, None),
    ]


# --- Free-text detail ----------------------------------------------------------------------------------


def test_an_exemption_detail_longer_than_the_limit_is_refused_at_the_field(qa_client):
    response = grant(qa_client, month="2026-12", detail="x" * (LONG_TEXT_MAX + 1))

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<a href="#id_detail" class="alert-link">The detail is 10,001 characters long; keep it to 10,000 characters '
        "or fewer.</a>" in page
    )
    assert 'maxlength="' not in page.split('name="detail"')[0].rsplit("<textarea", 1)[-1]
    assert not Exemption.objects.exists()


def test_an_exemption_detail_at_the_limit_is_kept_whole(qa_client):
    assert grant(qa_client, month="2026-12", detail="x" * LONG_TEXT_MAX).status_code == 302
    assert len(Exemption.objects.get().detail) == LONG_TEXT_MAX


def test_the_service_refuses_a_runaway_detail_whoever_calls_it(quality):
    with pytest.raises(ExemptionError, match="keep it to 10,000 characters"):
        exemption_grant(
            user=AuditorFactory(),
            kind=Exemption.Kind.STANDING,
            reason=Exemption.Reason.ABSENCE,
            detail="x" * (LONG_TEXT_MAX + 1),
            by=quality,
        )
    assert not Exemption.objects.exists()
