"""One month of allocation and what became of it: allocated by the real rules, returned, sampled, left open."""

from __future__ import annotations

import datetime
from collections import Counter

from allocation.models import Exemption, MonthPlan, ProposedAllocation
from allocation.rules import allocate, due_date
from allocation.selectors import allocation_inputs, reaudited_audit_ids
from audits.grading import audit_final_grade_assign
from audits.models import GRADE_RANK, Audit, AuditKind, Grade, IroViews, SendBack
from caseload.models import Child, LegalStatus
from common.periods import month_end, month_start
from demo.data import (
    DIRECTORS,
    FEEDBACK_COMMENTS,
    GRADE_ORDER,
    IMPROVEMENTS,
    PROFILE_WEIGHTS,
    SEND_BACK_REASONS,
    STRENGTHS,
)
from demo.state import Demo, ModerationPlan
from moderation.models import Moderation
from people.models import User


def build_month(demo: Demo, month: datetime.date) -> None:
    """Plan and confirm `month` with the real allocation rules, then play out each audit up to today."""
    rng, today, quality = demo.rng, demo.today, demo.people["quality"]
    confirm_day = min(demo.working_day_on_or_after(month), today)
    plan = MonthPlan.objects.create(
        month=month,
        status=MonthPlan.Status.CONFIRMED,
        seed=rng.randrange(1_000_000),
        proposed_at=demo.at(confirm_day - datetime.timedelta(days=4), 11),
        proposed_by=quality,
        confirmed_at=demo.at(confirm_day, 9, 30),
        confirmed_by=quality,
    )
    inputs = allocation_inputs(month, demo.policy)
    result = allocate(
        rules=inputs.rules,
        auditors=inputs.auditors,
        teams=inputs.teams,
        children=inputs.children,
        reaudits=inputs.reaudits,
        seed=plan.seed,
    )
    ProposedAllocation.objects.bulk_create(
        ProposedAllocation(
            plan=plan, auditor_id=line.auditor_id, child_id=line.child_id, kind=line.kind, reason=line.reason
        )
        for line in result.lines
    )
    children = Child.objects.select_related("team").in_bulk([line.child_id for line in result.lines])
    due_on = due_date(month, demo.policy.due_day)
    earlier = reaudited_audit_ids(month, [line.child_id for line in result.lines if line.kind == AuditKind.REAUDIT])
    audits = []
    for line in result.lines:
        child = children[line.child_id]
        audits.append(
            Audit(
                month=month,
                plan=plan,
                auditor_id=line.auditor_id,
                child=child,
                team=child.team,
                service_area_id=child.team.service_area_id,
                legal_status=child.legal_status,
                social_worker_id=child.social_worker_id,
                template=demo.template,
                programme_id=demo.template.programme_id,
                due_on=due_on,
                kind=line.kind,
                allocation_reason=line.reason,
                reaudit_of_id=earlier.get(line.child_id) if line.kind == AuditKind.REAUDIT else None,
                contact_child=True,
                contact_parents=child.legal_status != LegalStatus.CARE_LEAVER,
                contact_iro=child.legal_status in (LegalStatus.CP, LegalStatus.CLA),
                # The allocation e-mail went out when the month was confirmed.
                allocation_notified_at=demo.at(confirm_day, 9, 35),
            )
        )
    exempted = _month_exemption(demo, month, audits, confirm_day)
    for audit in audits:
        if audit is not exempted:
            _play_out(demo, audit, confirm_day)
    audits = Audit.objects.bulk_create(audits)
    demo.audits.extend(audits)
    for audit in audits:
        demo.backdates.append((Audit, audit, "created_at", demo.at(confirm_day, 9, 30)))
    _link_pending_rows(demo, audits)


def _month_exemption(demo: Demo, month: datetime.date, audits: list[Audit], confirm_day: datetime.date) -> Audit | None:
    """Most months someone is exempted after confirmation (illness, other QA work), approved by a director."""
    rng = demo.rng
    candidates = [a for a in audits if a.auditor_id != demo.people["auditor"].pk]
    granted_on = confirm_day + datetime.timedelta(days=rng.randint(5, 12))
    if not candidates or rng.random() > 0.8 or granted_on >= demo.today:
        return None
    audit = rng.choice(candidates)
    reason = rng.choice([Exemption.Reason.ABSENCE, Exemption.Reason.OTHER_QA, Exemption.Reason.OTHER])
    director = rng.choice(DIRECTORS)
    exemption = Exemption.objects.create(
        user_id=audit.auditor_id,
        kind=Exemption.Kind.SINGLE_MONTH,
        month=month,
        reason=reason,
        detail={"absence": "Sick leave.", "other_qa": "Leading a thematic audit this month."}.get(
            reason, "Court week."
        ),
        approved_by=director,
        created_by=demo.people["quality"],
    )
    demo.backdates.append((Exemption, exemption, "created_at", demo.at(granted_on, 14)))
    audit.status = Audit.Status.EXEMPTED
    audit.exemption = exemption
    # The same wording exemption_grant writes, so the appendix reads alike for demo and real exemptions.
    audit.exemption_reason = f"{exemption.get_reason_display()} (approved by {director})"
    return audit


def _play_out(demo: Demo, audit: Audit, confirm_day: datetime.date) -> None:
    """Decide what happened to one allocation by today: submitted (on time or late), sent back, or not yet."""
    rng, today, month = demo.rng, demo.today, audit.month
    nil_after = month_end(month) + datetime.timedelta(days=demo.policy.nil_return_days_after_month)
    is_current = month == month_start(today)
    roll = rng.random()
    if is_current:
        # This month: a few audits are already in; the rest are being worked on.
        if roll < 0.25 and audit.auditor_id != demo.people["auditor"].pk:
            first_day, last_day = confirm_day + datetime.timedelta(days=5), today - datetime.timedelta(days=1)
            if first_day <= last_day:
                submitted = first_day + datetime.timedelta(days=rng.randint(0, (last_day - first_day).days))
                _submit(demo, audit, submitted)
                return
        _leave_in_progress(demo, audit)
        return
    if audit.auditor_id == demo.people["auditor"].pk:
        # The demo auditor's own history is tidy (returned on time or late), so their home page shows this
        # month's work rather than old loose ends.
        roll = 0.11 + roll * 0.89
    if roll < 0.05:
        outcome = "nil"
    elif roll < 0.08:
        outcome = "sent_back"
    elif roll < 0.11:
        outcome = "sent_back_resubmitted"
    elif roll < 0.30:
        outcome = "late"
    else:
        outcome = "on_time"
    if outcome == "nil":
        submitted = None
    elif outcome == "late":
        submitted = audit.due_on + datetime.timedelta(days=rng.randint(1, 14))
    else:
        earliest = confirm_day + datetime.timedelta(days=7)
        # One draw whatever the span (randint's draws depend on it), so that moving a due date off a weekend
        # does not reshuffle the rest of the demo.
        span = max(0, (audit.due_on - earliest).days)
        submitted = earliest + datetime.timedelta(days=int(rng.random() * (span + 1)))
    if submitted is None or submitted >= today:
        if today > nil_after:
            audit.status = Audit.Status.NIL_RETURN
            _stamp_due_reminders(demo, audit)
        else:
            _leave_in_progress(demo, audit)
        return
    if outcome.startswith("sent_back"):
        sent_back_on = submitted + datetime.timedelta(days=2)
        resubmitted = sent_back_on + datetime.timedelta(days=rng.randint(3, 7))
        if sent_back_on < today:
            _fill_audit(demo, audit)
            audit.status = Audit.Status.SENT_BACK
            audit.submitted_on, audit.submitted_at = submitted, demo.at(submitted, 15)
            # The audit has no id yet; bulk_create fills audit_id from it once it has (build_send_backs).
            send_back = SendBack(
                audit=audit,
                by=demo.people["quality"],
                reason=rng.choice(SEND_BACK_REASONS),
                auditor_notified_at=demo.at(sent_back_on, 11, 5),
            )
            demo.send_backs.append(send_back)
            demo.backdates.append((SendBack, send_back, "at", demo.at(sent_back_on, 11)))
            if outcome == "sent_back_resubmitted" and resubmitted < today:
                send_back.resubmitted_at = demo.at(resubmitted, 16)
                _submit(demo, audit, resubmitted)
            return
    _submit(demo, audit, submitted)


def _leave_in_progress(demo: Demo, audit: Audit) -> None:
    audit.status = Audit.Status.DRAFT
    _stamp_due_reminders(demo, audit)


def _stamp_due_reminders(demo: Demo, audit: Audit) -> None:
    """Reminders before and on the due date went out when they were due (so the daily job does not resend)."""
    before = audit.due_on - datetime.timedelta(days=demo.policy.reminder_days_before_due)
    if before <= demo.today:
        audit.reminded_before_due_at = demo.at(before, 6, 5)
    if audit.due_on <= demo.today:
        audit.reminded_on_due_at = demo.at(audit.due_on, 6, 5)


def _submit(demo: Demo, audit: Audit, submitted: datetime.date) -> None:
    rng = demo.rng
    # Only the reminders that fell before the submission were sent.
    before = audit.due_on - datetime.timedelta(days=demo.policy.reminder_days_before_due)
    audit.reminded_before_due_at = demo.at(before, 6, 5) if before <= submitted else None
    audit.reminded_on_due_at = demo.at(audit.due_on, 6, 5) if audit.due_on <= submitted else None
    _fill_audit(demo, audit)
    audit.status = Audit.Status.SUBMITTED
    audit.submitted_on = submitted
    audit.submitted_at = demo.at(submitted, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    audit.last_saved_at = audit.submitted_at
    audit.version = rng.randint(3, 18)
    reason = _sample_reason(demo, audit)
    moderated_grade = ""
    if reason is not None:
        plan = demo.moderation[id(audit)] = _plan_moderation(demo, audit, reason)
        moderated_grade = plan.grade if plan.completed else ""
    audit_final_grade_assign(audit, moderated_grade=moderated_grade)


def _fill_audit(demo: Demo, audit: Audit) -> None:
    """The auditor's grade, participation, feedback and summary, drawn around the team's practice profile."""
    rng = demo.rng
    weights = PROFILE_WEIGHTS[demo.profile[audit.team_id]]
    audit.auditor_grade = rng.choices(GRADE_ORDER, weights=weights)[0]
    audit.at_risk = audit.auditor_grade == Grade.REQUIRES_IMPROVEMENT and rng.random() < 0.25
    audit.sw_participated = rng.random() < 0.93
    audit.manager_participated = rng.random() < 0.85
    has_iro = audit.legal_status in (LegalStatus.CP, LegalStatus.CLA)
    audit.iro_views = (IroViews.YES if rng.random() < 0.65 else IroViews.NO) if has_iro else IroViews.NOT_APPLICABLE
    audit.child_spoken_to = rng.random() < (0.4 if audit.legal_status == LegalStatus.CWD else 0.62)
    audit.parent_spoken_to = audit.legal_status != LegalStatus.CARE_LEAVER and rng.random() < 0.7
    for person in ("child", "parent"):
        if getattr(audit, f"{person}_spoken_to"):
            feedback = rng.choices(list(FEEDBACK_COMMENTS), weights=(55, 30, 15))[0]
            setattr(audit, f"{person}_feedback", feedback)
            setattr(audit, f"{person}_feedback_comment", rng.choice(FEEDBACK_COMMENTS[feedback]))
    audit.strengths = " ".join(rng.sample(STRENGTHS, 2))
    audit.improvements = " ".join(rng.sample(IMPROVEMENTS, 2))


def _sample_reason(demo: Demo, audit: Audit) -> str | None:
    """The moderation sampling rules: every Inadequate, every at-risk RI, and a small random share."""
    if demo.policy.sample_all_inadequate and audit.auditor_grade == Grade.INADEQUATE:
        return Moderation.SampleReason.INADEQUATE
    if demo.policy.sample_all_at_risk and audit.at_risk:
        return Moderation.SampleReason.AT_RISK
    if demo.rng.random() < 0.05:
        return Moderation.SampleReason.RANDOM
    return None


def _plan_moderation(demo: Demo, audit: Audit, reason: str) -> ModerationPlan:
    rng, today = demo.rng, demo.today
    assigned_on = audit.submitted_on + datetime.timedelta(days=1)
    moderated_on = assigned_on + datetime.timedelta(days=rng.randint(2, 13))
    completed = moderated_on < today
    plan = ModerationPlan(reason=reason, moderator=_choose_moderator(demo, audit, completed), assigned_on=assigned_on)
    if not completed:
        return plan
    plan.moderated_on = moderated_on
    rank = GRADE_RANK[Grade(audit.auditor_grade)]
    down_share = 0.3 if audit.at_risk else 0.15
    roll = rng.random()
    if roll < down_share and rank > 1:
        rank -= 1
    elif roll > 0.85 and rank < 4:
        rank += 1
    plan.grade = next(grade for grade, value in GRADE_RANK.items() if value == rank)
    finalised_on = moderated_on + datetime.timedelta(days=rng.randint(2, 12))
    if finalised_on < today and rng.random() < 0.85:
        plan.finalised_on = finalised_on
    reviewed_on = moderated_on + datetime.timedelta(days=rng.randint(3, 10))
    if reviewed_on < today and rng.random() < 0.5:
        plan.reviewed_on = reviewed_on
    return plan


def _choose_moderator(demo: Demo, audit: Audit, completed: bool) -> User:
    """The least-loaded moderator without a conflict of interest (not the auditor, worker, manager or head)."""
    team = audit.team
    conflicted = {audit.auditor_id, audit.social_worker_id, team.manager_id, team.head_of_service_id}
    # The demo moderator's waiting queue is set by build_scenario, so they only get finished ones here.
    keys = (
        ("moderator", "ruth", "graham", "qa_officer", "hos_in_care") if completed else ("ruth", "graham", "qa_officer")
    )
    pool = [demo.people[key] for key in keys if demo.people[key].pk not in conflicted]
    load = Counter(plan.moderator.pk for plan in demo.moderation.values())
    return min(pool, key=lambda user: (load[user.pk], user.pk))


def _link_pending_rows(demo: Demo, audits: list[Audit]) -> None:
    """Moderation plans were made before the audits had ids (keyed by object); key them by id now."""
    for audit in audits:
        plan = demo.moderation.pop(id(audit), None)
        if plan is not None:
            demo.moderation[audit.pk] = plan
