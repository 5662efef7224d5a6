"""Editing a proposal, confirming it once, and the e-mail each auditor receives."""

import datetime
from unittest import mock

import pytest

from allocation.models import MonthPlan
from allocation.services import (
    AllocationError,
    allocation_notify,
    allocation_notify_plan,
    month_plan_confirm,
    month_plan_propose,
    proposal_add,
    proposal_reassign,
    proposal_remove,
    proposal_swap_child,
)
from allocation.tasks import notify_allocation
from allocation.tests.factories import ExemptionFactory, MonthPlanFactory, ProposedAllocationFactory
from audits.models import Audit, AuditKind, Policy, TemplateVersion
from caseload.models import LegalStatus
from caseload.tests.factories import ChildFactory
from people.tests.factories import AuditorFactory, QualityFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocation_today")]

DEC = datetime.date(2026, 12, 1)


@pytest.fixture
def quality():
    return QualityFactory()


@pytest.fixture
def plan():
    return MonthPlanFactory()


# --- Editing --------------------------------------------------------------------------------------


def test_reassigning_a_line_keeps_the_child_and_its_reason(plan, quality):
    line = ProposedAllocationFactory(plan=plan, reason="never audited")
    other = AuditorFactory()
    proposal_reassign(line=line, auditor=other, by=quality)
    line.refresh_from_db()
    assert line.auditor == other and line.reason == "never audited"


def test_swapping_a_child_records_that_it_was_chosen_by_hand(plan, quality):
    line = ProposedAllocationFactory(plan=plan)
    child = ChildFactory()
    proposal_swap_child(line=line, child=child, by=quality)
    line.refresh_from_db()
    assert line.child == child
    assert line.kind == AuditKind.MANUAL
    assert line.reason == f"chosen by hand by {quality}"


def test_adding_and_removing_lines(plan, quality):
    auditor, child = AuditorFactory(), ChildFactory()
    line = proposal_add(plan=plan, auditor=auditor, child=child, by=quality)
    assert line.kind == AuditKind.MANUAL and plan.proposals.count() == 1
    proposal_remove(line=line, by=quality)
    assert plan.proposals.count() == 0


@pytest.mark.parametrize(
    ("setup", "field", "message"),
    [
        (lambda a, c: setattr(a, "is_active", False) or a.save(), "auditor", "not an active auditor"),
        (lambda a, c: setattr(a, "is_auditor", False) or a.save(), "auditor", "not an active auditor"),
        (lambda a, c: ExemptionFactory(user=a, single_month=True), "auditor", "exempt from auditing in December"),
        (lambda a, c: setattr(c, "is_open", False) or c.save(), "child", "closed case"),
        (lambda a, c: setattr(c, "social_worker", a) or c.save(), "auditor", "social worker"),
        (lambda a, c: a.teams.add(c.team), "auditor", "own team"),
        (lambda a, c: ProposedAllocationFactory(plan=MonthPlan.objects.get(month=DEC), child=c), "child", "already in"),
    ],
)
def test_hand_edits_that_break_a_rule_are_refused_with_the_field_to_blame(plan, quality, setup, field, message):
    auditor, child = AuditorFactory(), ChildFactory()
    setup(auditor, child)
    with pytest.raises(AllocationError) as refused:
        proposal_add(plan=plan, auditor=auditor, child=child, by=quality)
    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])
    assert not plan.proposals.filter(auditor=auditor).exists()


def test_a_child_already_allocated_this_month_cannot_be_added(plan, quality):
    child = ChildFactory()
    Audit.objects.create(
        month=DEC,
        auditor=AuditorFactory(),
        child=child,
        team=child.team,
        service_area=child.team.service_area,
        legal_status=child.legal_status,
        template=TemplateVersion.objects.get(is_current=True),
        due_on=datetime.date(2026, 12, 25),
    )
    with pytest.raises(AllocationError, match="already allocated in December 2026"):
        proposal_add(plan=plan, auditor=AuditorFactory(), child=child, by=quality)


def test_the_policy_can_let_hand_edits_use_the_own_team(plan, quality):
    policy = Policy.current()
    policy.allow_own_team = True
    policy.save()
    child = ChildFactory()
    auditor = AuditorFactory(teams=[child.team])
    assert proposal_add(plan=plan, auditor=auditor, child=child, by=quality).auditor == auditor


def test_no_edit_reaches_a_confirmed_plan(quality):
    plan = MonthPlanFactory(status=MonthPlan.Status.CONFIRMED)
    line = ProposedAllocationFactory(plan=plan)
    for attempt in (
        lambda: proposal_reassign(line=line, auditor=AuditorFactory(), by=quality),
        lambda: proposal_swap_child(line=line, child=ChildFactory(), by=quality),
        lambda: proposal_add(plan=plan, auditor=AuditorFactory(), child=ChildFactory(), by=quality),
        lambda: proposal_remove(line=line, by=quality),
    ):
        with pytest.raises(AllocationError, match="already confirmed"):
            attempt()
    assert plan.proposals.count() == 1


# --- Confirming -----------------------------------------------------------------------------------


def test_confirming_creates_audits_with_a_snapshot_of_the_child(quality):
    social_worker = UserFactory()
    team = TeamFactory()
    cp_child = ChildFactory(team=team, legal_status=LegalStatus.CP, social_worker=social_worker)
    plan = MonthPlanFactory()
    auditor = AuditorFactory()
    ProposedAllocationFactory(plan=plan, auditor=auditor, child=cp_child, reason="never audited")
    (audit,) = month_plan_confirm(plan=plan, by=quality)
    audit = Audit.objects.get(pk=audit.pk)
    assert (audit.month, audit.plan, audit.auditor, audit.child) == (DEC, plan, auditor, cp_child)
    assert (audit.team, audit.service_area, audit.legal_status, audit.social_worker) == (
        team,
        team.service_area,
        LegalStatus.CP,
        social_worker,
    )
    assert audit.template == TemplateVersion.objects.get(is_current=True)
    # The policy's 25th is Christmas Day in 2026: the audits are due on the working day before.
    assert audit.due_on == datetime.date(2026, 12, 24)
    assert audit.status == Audit.Status.DRAFT
    assert audit.kind == AuditKind.ROUTINE and audit.allocation_reason == "never audited"
    assert (audit.contact_child, audit.contact_parents, audit.contact_iro) == (True, True, True)
    assert audit.history.count() == 1
    # Moving the child later does not rewrite the audit.
    cp_child.team = TeamFactory()
    cp_child.save()
    audit.refresh_from_db()
    assert audit.team == team
    plan.refresh_from_db()
    assert plan.status == MonthPlan.Status.CONFIRMED and plan.confirmed_by == quality


@pytest.mark.parametrize(
    ("status", "contact_iro", "contact_parents"),
    [
        (LegalStatus.CLA, True, True),
        (LegalStatus.CP, True, True),
        (LegalStatus.CIN, False, True),
        (LegalStatus.CARE_LEAVER, False, False),
    ],
)
def test_who_to_contact_follows_the_legal_status(quality, status, contact_iro, contact_parents):
    plan = MonthPlanFactory()
    ProposedAllocationFactory(plan=plan, child=ChildFactory(legal_status=status))
    (audit,) = month_plan_confirm(plan=plan, by=quality)
    assert (audit.contact_iro, audit.contact_parents) == (contact_iro, contact_parents)


def test_the_due_date_is_the_policy_day_clamped_to_a_short_month(quality):
    policy = Policy.current()
    policy.due_day = 31
    policy.save()
    plan = MonthPlanFactory(month=datetime.date(2027, 2, 1))
    ProposedAllocationFactory(plan=plan)
    (audit,) = month_plan_confirm(plan=plan, by=quality)
    # 28 Feb 2027 is a Sunday: the Friday before.
    assert audit.due_on == datetime.date(2027, 2, 26)


def test_confirming_the_same_month_twice_creates_one_set(quality):
    AuditorFactory.create_batch(3)
    team = TeamFactory()
    for _ in range(5):
        ChildFactory(team=team)
    plan = month_plan_propose(month=DEC, by=quality, seed=3)
    month_plan_confirm(plan=plan, by=quality)
    stale = MonthPlan.objects.get(pk=plan.pk)
    stale.status = MonthPlan.Status.DRAFT  # A second officer's page loaded before the first confirmed.
    with pytest.raises(AllocationError, match="already confirmed"):
        month_plan_confirm(plan=stale, by=QualityFactory())
    assert Audit.objects.filter(month=DEC).count() == 3


def test_an_empty_proposal_cannot_be_confirmed(quality):
    plan = MonthPlanFactory()
    with pytest.raises(AllocationError, match="nothing to confirm"):
        month_plan_confirm(plan=plan, by=quality)
    plan.refresh_from_db()
    assert plan.status == MonthPlan.Status.DRAFT


def test_lines_gone_stale_block_confirmation_and_write_nothing(quality):
    plan = MonthPlanFactory()
    closed = ProposedAllocationFactory(plan=plan).child
    closed.is_open = False
    closed.save()
    ProposedAllocationFactory(plan=plan)
    with pytest.raises(AllocationError, match=f"{closed.case_ref} has been closed"):
        month_plan_confirm(plan=plan, by=quality)
    plan.refresh_from_db()
    assert plan.status == MonthPlan.Status.DRAFT
    assert not Audit.objects.exists()


# --- E-mail -----------------------------------------------------------------------------------------------------------


def test_each_auditor_is_emailed_once_after_the_commit(quality, django_capture_on_commit_callbacks, mailoutbox):
    plan = MonthPlanFactory()
    double = AuditorFactory(email="double@example.org", audits_per_month=2)
    single = AuditorFactory(email="single@example.org")
    first = ProposedAllocationFactory(plan=plan, auditor=double).child
    second = ProposedAllocationFactory(plan=plan, auditor=double).child
    ProposedAllocationFactory(plan=plan, auditor=single)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        month_plan_confirm(plan=plan, by=quality)
    assert mailoutbox == []  # Nothing is sent before the commit.
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == ["double@example.org", "single@example.org"]
    message = next(m for m in mailoutbox if m.to == ["double@example.org"])
    assert message.subject == "Your case-file audits for December 2026"
    assert first.case_ref in message.body and second.case_ref in message.body
    assert "due 24 Dec 2026" in message.body
    assert "/audits/mine/" in message.body
    assert not Audit.objects.filter(plan=plan, allocation_notified_at__isnull=True).exists()

    # Running the task again (a redelivery) sends nothing more.
    assert notify_allocation.delay(plan.pk).get() == 0
    assert len(mailoutbox) == 2


def test_a_failed_send_leaves_only_the_untold_auditors_for_the_retry(quality, mailoutbox):
    plan = MonthPlanFactory()
    told, untold = AuditorFactory(email="told@example.org"), AuditorFactory(email="untold@example.org")
    ProposedAllocationFactory(plan=plan, auditor=told)
    ProposedAllocationFactory(plan=plan, auditor=untold)
    month_plan_confirm(plan=plan, by=quality)
    sent = []

    def flaky_send_mail(**kwargs):
        if kwargs["recipient_list"] == ["untold@example.org"]:
            raise OSError("SMTP server went away")
        sent.append(kwargs["recipient_list"])

    with mock.patch("allocation.services.send_mail", side_effect=flaky_send_mail), pytest.raises(OSError):
        allocation_notify_plan(plan_id=plan.pk)
    assert sent == [["told@example.org"]]
    assert list(Audit.objects.filter(allocation_notified_at__isnull=True).values_list("auditor", flat=True)) == [
        untold.pk
    ]
    assert allocation_notify_plan(plan_id=plan.pk) == 1
    assert [m.to for m in mailoutbox] == [["untold@example.org"]]


def test_two_workers_telling_the_same_auditor_send_one_email(quality, mailoutbox):
    plan = MonthPlanFactory()
    auditor = AuditorFactory(email="once@example.org")
    ProposedAllocationFactory(plan=plan, auditor=auditor)
    month_plan_confirm(plan=plan, by=quality)
    assert allocation_notify(plan_id=plan.pk, auditor_id=auditor.pk) is True
    assert allocation_notify(plan_id=plan.pk, auditor_id=auditor.pk) is False
    assert len(mailoutbox) == 1


def test_an_auditor_without_an_email_address_is_skipped(quality, mailoutbox):
    plan = MonthPlanFactory()
    auditor = AuditorFactory(email="")
    ProposedAllocationFactory(plan=plan, auditor=auditor)
    month_plan_confirm(plan=plan, by=quality)
    assert notify_allocation.delay(plan.pk).get() == 0
    assert mailoutbox == []


# --- Other programmes and the monthly allocation -------------------------------------------------------


def test_a_themed_audit_does_not_keep_a_child_out_of_the_monthly_audit_but_two_audits_in_a_month_never_happen():
    """A themed audit asks about one part of the file: it does not stand for the monthly audit's whole-file
    audit (the policy's 12 months of rest), though no child is audited twice in the same month."""
    from allocation.selectors import allocation_inputs
    from audits.tests.factories import AuditFactory, ProgrammeFactory, TemplateVersionFactory

    themed = TemplateVersionFactory(programme=ProgrammeFactory(name="No plan", slug="no-plan"), is_current=True)
    october, december = datetime.date(2026, 10, 1), DEC
    themed_before = ChildFactory(case_ref="T-OCT")
    monthly_before = ChildFactory(case_ref="M-OCT")
    themed_now = ChildFactory(case_ref="T-DEC")
    AuditFactory(child=themed_before, template=themed, month=october, returned=True, final_grade="good")
    AuditFactory(child=monthly_before, month=october, returned=True, final_grade="good")
    AuditFactory(child=themed_now, template=themed, month=december)

    inputs = allocation_inputs(december, Policy.current())
    eligible = {child.id: child for child in inputs.children}
    assert themed_before.pk in eligible and eligible[themed_before.pk].last_audited is None
    assert monthly_before.pk not in eligible
    assert themed_now.pk not in eligible


def test_an_inadequate_themed_audit_is_still_re_audited():
    from allocation.selectors import allocation_inputs
    from audits.tests.factories import AuditFactory, ProgrammeFactory, TemplateVersionFactory

    policy = Policy.current()
    themed = TemplateVersionFactory(programme=ProgrammeFactory(name="No plan", slug="no-plan"), is_current=True)
    inadequate_month = datetime.date(2026, 12 - policy.reaudit_after_months, 1)
    child = ChildFactory()
    AuditFactory(child=child, template=themed, month=inadequate_month, returned=True, final_grade="inadequate")

    assert [reaudit.child.id for reaudit in allocation_inputs(DEC, policy).reaudits] == [child.pk]
