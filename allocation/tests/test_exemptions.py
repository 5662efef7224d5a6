"""Exemptions: what each kind needs, and the planned / exempted / scheduled counts before and after confirmation."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from allocation.models import Exemption, MonthPlan
from allocation.selectors import month_returns_counts
from allocation.services import (
    ExemptionError,
    exemption_grant,
    exemption_withdraw,
    month_plan_confirm,
    month_plan_propose,
)
from allocation.tests.factories import ExemptionFactory
from audits.models import Audit
from audits.tests.factories import AuditFactory
from caseload.tests.factories import ChildFactory
from people.tests.factories import AuditorFactory, QualityFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocation_today")]

NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)
JAN = datetime.date(2027, 1, 1)
DIRECTOR = "Director of Children's Safeguarding"


@pytest.fixture
def quality():
    return QualityFactory()


@pytest.fixture
def auditors():
    team = TeamFactory()
    for _ in range(8):
        ChildFactory(team=team)
    return AuditorFactory.create_batch(4)


def counts(month=DEC):
    c = month_returns_counts(month)
    return c["planned"], c["exempted"], c["scheduled"]


def single_month(user, by, month=DEC, **kwargs):
    return exemption_grant(
        user=user,
        kind=Exemption.Kind.SINGLE_MONTH,
        reason=Exemption.Reason.OTHER_QA,
        month=month,
        approved_by=DIRECTOR,
        by=by,
        **kwargs,
    )


# --- What each kind needs --------------------------------------------------------------------------


def test_a_single_month_exemption_needs_month_and_approving_director(quality):
    user = AuditorFactory()
    with pytest.raises(ExemptionError) as refused:
        exemption_grant(user=user, kind=Exemption.Kind.SINGLE_MONTH, reason="", approved_by="  ", by=quality)
    assert set(refused.value.message_dict) == {"month", "reason", "approved_by"}
    assert "approving director" in refused.value.message_dict["approved_by"][0]
    assert not Exemption.objects.exists()


def test_a_standing_exemption_needs_only_a_reason(quality):
    user = AuditorFactory()
    with pytest.raises(ExemptionError) as refused:
        exemption_grant(user=user, kind=Exemption.Kind.STANDING, reason="", by=quality)
    assert set(refused.value.message_dict) == {"reason"}
    exemption = exemption_grant(user=user, kind=Exemption.Kind.STANDING, reason=Exemption.Reason.MODERATOR, by=quality)
    assert exemption.starts_on == datetime.date(2026, 11, 21)
    assert exemption.month is None and exemption.ends_on is None and exemption.created_by == quality


def test_a_standing_exemption_cannot_end_before_it_starts(quality):
    with pytest.raises(ExemptionError) as refused:
        exemption_grant(
            user=AuditorFactory(),
            kind=Exemption.Kind.STANDING,
            reason=Exemption.Reason.ABSENCE,
            starts_on=datetime.date(2026, 12, 1),
            ends_on=datetime.date(2026, 11, 30),
            by=quality,
        )
    assert "ends_on" in refused.value.message_dict


def test_the_same_exemption_is_not_granted_twice(quality):
    user = AuditorFactory()
    single_month(user, quality)
    with pytest.raises(ExemptionError, match="already has an exemption for December 2026"):
        single_month(user, quality, month=datetime.date(2026, 12, 15))
    exemption_grant(user=user, kind=Exemption.Kind.STANDING, reason=Exemption.Reason.ABSENCE, by=quality)
    with pytest.raises(ExemptionError, match="already has a standing exemption"):
        exemption_grant(user=user, kind=Exemption.Kind.STANDING, reason=Exemption.Reason.ABSENCE, by=quality)
    assert Exemption.objects.count() == 2


# --- Before confirmation -------------------------------------------------------------------------------


def test_an_exemption_granted_before_proposing_keeps_the_auditor_out_of_the_plan(quality, auditors):
    single_month(auditors[0], quality)
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    assert auditors[0].pk not in set(plan.proposals.values_list("auditor_id", flat=True))
    month_plan_confirm(plan=plan, by=quality)
    assert counts() == (3, 0, 3)


def test_an_exemption_granted_during_the_proposal_removes_the_auditors_lines(quality, auditors):
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    assert plan.proposals.filter(auditor=auditors[1]).exists()
    single_month(auditors[1], quality)
    assert not plan.proposals.filter(auditor=auditors[1]).exists()
    assert plan.proposals.count() == 3
    assert counts() == (0, 0, 0)  # Nothing is planned until the proposal is confirmed.
    month_plan_confirm(plan=plan, by=quality)
    assert counts() == (3, 0, 3)


def test_a_single_month_exemption_for_another_month_leaves_the_proposal_alone(quality, auditors):
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    single_month(auditors[1], quality, month=JAN)
    assert plan.proposals.filter(auditor=auditors[1]).exists()


# --- After confirmation ---------------------------------------------------------------------------------


def test_an_exemption_granted_after_confirmation_moves_the_audit_from_scheduled_to_exempted(quality, auditors):
    month_plan_confirm(plan=month_plan_propose(month=DEC, by=quality, seed=1), by=quality)
    assert counts() == (4, 0, 4)
    exemption = single_month(auditors[2], quality, detail="Leading the fostering dip sample")
    assert counts() == (4, 1, 3)
    audit = Audit.objects.get(month=DEC, auditor=auditors[2])
    assert audit.status == Audit.Status.EXEMPTED and audit.exemption == exemption
    assert audit.exemption_reason == f"Other QA activity (approved by {DIRECTOR})"
    assert audit.history.first().status == Audit.Status.EXEMPTED  # The audit trail records the change.


def test_a_late_exemption_leaves_submitted_audits_and_other_months_alone(quality):
    auditor = AuditorFactory()
    submitted = AuditFactory(auditor=auditor, month=DEC, returned=True)
    january = AuditFactory(auditor=auditor, month=JAN)
    single_month(auditor, quality)
    submitted.refresh_from_db()
    january.refresh_from_db()
    assert submitted.status == Audit.Status.SUBMITTED and january.status == Audit.Status.DRAFT
    assert counts() == (1, 0, 1)


def test_a_standing_exemption_covers_this_and_later_months_but_not_earlier_ones(quality):
    auditor = AuditorFactory()
    october = AuditFactory(auditor=auditor, month=datetime.date(2026, 10, 1))  # overdue, but in the past
    november = AuditFactory(auditor=auditor, month=NOV)
    december = AuditFactory(auditor=auditor, month=DEC)
    exemption_grant(user=auditor, kind=Exemption.Kind.STANDING, reason=Exemption.Reason.ABSENCE, by=quality)
    statuses = {a.month: Audit.objects.get(pk=a.pk).status for a in (october, november, december)}
    assert statuses == {
        datetime.date(2026, 10, 1): Audit.Status.DRAFT,
        NOV: Audit.Status.EXEMPTED,
        DEC: Audit.Status.EXEMPTED,
    }
    assert counts(NOV) == (1, 1, 0)


def test_withdrawing_an_exemption_puts_its_audits_back_in_the_scheduled_count(quality, auditors):
    month_plan_confirm(plan=month_plan_propose(month=DEC, by=quality, seed=1), by=quality)
    exemption = single_month(auditors[0], quality)
    assert counts() == (4, 1, 3)
    exemption_withdraw(exemption=exemption, by=quality)
    assert counts() == (4, 0, 4)
    audit = Audit.objects.get(month=DEC, auditor=auditors[0])
    assert audit.status == Audit.Status.DRAFT and audit.exemption is None and audit.exemption_reason == ""
    with pytest.raises(ExemptionError, match="already been withdrawn"):
        exemption_withdraw(exemption=exemption, by=quality)


def test_a_withdrawn_standing_exemption_no_longer_covers_later_months(quality):
    auditor = AuditorFactory()
    exemption = exemption_grant(user=auditor, kind=Exemption.Kind.STANDING, reason=Exemption.Reason.ABSENCE, by=quality)
    exemption_withdraw(exemption=exemption, by=quality)
    exemption.refresh_from_db()
    assert not exemption.is_active and exemption.ends_on == datetime.date(2026, 11, 21)
    team = TeamFactory()
    ChildFactory(team=team)
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    assert list(plan.proposals.values_list("auditor_id", flat=True)) == [auditor.pk]


# --- Pages -------------------------------------------------------------------------------------------


@pytest.fixture
def qa_client(client, quality):
    client.force_login(quality)
    return client


def test_the_grant_form_shows_each_missing_field_in_the_error_summary(qa_client):
    user = AuditorFactory()
    response = qa_client.post(reverse("allocation:exemption_grant"), {"user": user.pk, "kind": "month", "reason": ""})
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_reason" class="alert-link">' in content
    assert '<a href="#id_month" class="alert-link">Enter the month of the exemption' in content
    assert '<a href="#id_approved_by" class="alert-link">Enter the approving director' in content
    assert not Exemption.objects.exists()


def test_a_bad_month_is_refused_at_the_field(qa_client):
    user = AuditorFactory()
    response = qa_client.post(
        reverse("allocation:exemption_grant"),
        {"user": user.pk, "kind": "month", "reason": "other", "month": "December", "approved_by": DIRECTOR},
    )
    assert '<a href="#id_month" class="alert-link">Enter a month as year and month' in response.content.decode()
    assert not Exemption.objects.exists()


def test_granting_from_the_month_page_returns_there_and_updates_its_counts(qa_client, quality, auditors):
    month_plan_confirm(plan=month_plan_propose(month=DEC, by=quality, seed=1), by=quality)
    response = qa_client.post(
        reverse("allocation:exemption_grant"),
        {
            "user": auditors[3].pk,
            "kind": "month",
            "reason": "absence",
            "month": "2026-12",
            "approved_by": DIRECTOR,
            "return_month": "2026-12",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/audits/allocation/2026-12/#exemptions"
    content = response.content.decode()
    assert escape(f"Exemption granted to {auditors[3]}. 1 allocation marked exempted.") in content
    assert 'data-count="exempted">1</dd>' in content and 'data-count="scheduled">3</dd>' in content
    assert "Director of Children&#x27;s Safeguarding" in content

    exemption = Exemption.objects.get()
    response = qa_client.post(
        reverse("allocation:exemption_withdraw", kwargs={"pk": exemption.pk}), {"return_month": "2026-12"}, follow=True
    )
    assert 'data-count="exempted">0</dd>' in response.content.decode()


def test_the_exemption_list_filters_by_status(qa_client):
    active = ExemptionFactory()
    withdrawn = ExemptionFactory(is_active=False)
    content = qa_client.get(reverse("allocation:exemption_list"), {"is_active": "false"}).content.decode()
    assert escape(withdrawn.user) in content and escape(active.user) not in content
    content = qa_client.get(reverse("allocation:exemption_list")).content.decode()
    assert escape(withdrawn.user) in content and escape(active.user) in content


def test_a_standing_exemption_can_be_granted_through_the_form(qa_client):
    user = AuditorFactory()
    response = qa_client.post(
        reverse("allocation:exemption_grant"),
        {"user": user.pk, "kind": "standing", "reason": "moderator", "starts_on": "2026-12-01"},
    )
    assert response.status_code == 302 and response.url == reverse("allocation:exemption_list")
    exemption = Exemption.objects.get()
    assert exemption.kind == "standing" and exemption.starts_on == DEC


def test_plan_status_is_unchanged_by_exemptions(quality, auditors):
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    single_month(auditors[0], quality)
    plan.refresh_from_db()
    assert plan.status == MonthPlan.Status.DRAFT
