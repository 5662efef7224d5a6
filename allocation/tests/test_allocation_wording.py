"""Words on the allocation and exemption pages that read wrongly: a seed nobody asked for, "Re-audit re-audit",
"1 Sep 2026 to until withdrawn"."""

import datetime

import pytest
from django.urls import reverse

from allocation.services import month_plan_confirm
from allocation.tests.factories import ExemptionFactory, MonthPlanFactory, ProposedAllocationFactory
from audits.models import AuditKind
from people.tests.factories import QualityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocation_today")]

DEC_URL = "/audits/allocation/2026-12/"
REAUDIT = "re-audit after Inadequate (Sep 2026)"


@pytest.fixture
def quality():
    return QualityFactory()


@pytest.fixture
def qa_client(client, quality):
    client.force_login(quality)
    return client


def test_the_proposal_number_is_explained_and_folded_away(qa_client):
    page = qa_client.get(DEC_URL).content.decode()

    assert "Seed" not in page
    assert '<details class="mb-3">' in page
    assert "<summary>Advanced: repeat an earlier proposal</summary>" in page
    assert "To get an earlier proposal back, enter its number." in page
    assert 'for="id_propose-seed"' in page and "Proposal number" in page


def test_a_bad_proposal_number_opens_the_fold_to_show_its_message(qa_client):
    page = qa_client.post(reverse("allocation:propose", args=["2026-12"]), {"propose-seed": "abc"}).content
    page = page.decode()

    assert '<details class="mb-3" open>' in page
    assert "Enter the proposal number as a whole number, for example 482913." in page


def test_a_re_audit_says_so_once_in_the_proposal_and_after_confirming(qa_client, quality):
    line = ProposedAllocationFactory(kind=AuditKind.REAUDIT, reason=REAUDIT)
    badge = '<span class="badge text-bg-warning">Re-audit after Inadequate (Sep 2026)</span>'

    proposal = qa_client.get(DEC_URL).content.decode()
    month_plan_confirm(plan=line.plan, by=quality)
    confirmed = qa_client.get(DEC_URL).content.decode()

    for page in (proposal, confirmed):
        assert badge in page
        assert page.lower().count("re-audit after inadequate") == 1


def test_an_ordinary_reason_stays_plain(qa_client):
    ProposedAllocationFactory(plan=MonthPlanFactory(), reason="never audited")

    page = qa_client.get(DEC_URL).content.decode()

    assert "<td>never audited</td>" in page


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "words"),
    [
        (datetime.date(2026, 9, 1), None, "From 1 Sep 2026 until withdrawn"),
        (datetime.date(2026, 9, 1), datetime.date(2027, 1, 31), "1 Sep 2026 to 31 Jan 2027"),
        (None, datetime.date(2027, 1, 31), "Until 31 Jan 2027"),
        (None, None, "Until withdrawn"),
    ],
)
def test_what_a_standing_exemption_covers_reads_as_a_sentence(qa_client, starts_on, ends_on, words):
    ExemptionFactory(starts_on=starts_on, ends_on=ends_on)

    listing = qa_client.get(reverse("allocation:exemption_list")).content.decode()
    month = qa_client.get(DEC_URL).content.decode()

    assert f"<td>{words}</td>" in listing
    assert f"<td>{words}</td>" in month
    assert "to until" not in listing and "to until" not in month


def test_a_single_month_exemption_covers_its_month(qa_client):
    ExemptionFactory(single_month=True)

    assert "<td>December 2026</td>" in qa_client.get(reverse("allocation:exemption_list")).content.decode()
