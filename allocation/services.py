"""Writes for monthly allocation and exemptions.

A month is planned in a `MonthPlan`: `month_plan_propose` builds a draft of
`ProposedAllocation` lines (the rules live in `allocation/rules.py`), the QA
team edits it (`proposal_reassign`, `proposal_swap_child`, `proposal_add`,
`proposal_remove`), and `month_plan_confirm` turns it, once, into `Audit`
rows and e-mails each auditor. Every change to a plan locks its row, so an
edit never lands in a plan that is being confirmed, and two confirmations of
the same month create one set of allocations.

Domain errors are `ValidationError` subclasses: a view puts them on the form
field they name (`allocation.forms.add_service_error`) or shows their messages.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mail
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from allocation.models import Exemption, MonthPlan, ProposedAllocation, ReturnReminder
from allocation.rules import allocate, due_date
from allocation.selectors import (
    OUTSTANDING_STATUSES,
    allocation_inputs,
    is_exempt,
    own_team_ids_by_user,
    reaudited_audit_ids,
)
from audits.models import Audit, AuditKind, Policy, TemplateVersion
from caseload.models import Child, LegalStatus
from common.data_version import data_version_bump
from common.periods import add_months, month_end, month_start
from common.text_limits import LONG_TEXT_MAX
from people.models import User
from qa_portal.celery import enqueue

# Children with an Independent Reviewing Officer (looked after) or a Child
# Protection chair: the audit plans to ask for that person's views.
IRO_LEGAL_STATUSES = (LegalStatus.CP, LegalStatus.CLA)


# How far from this month an exemption may reach: back far enough to record one granted late for the past
# year's returns, ahead far enough for a planned absence. A month in year 1 or 9999 is a typing mistake.
EXEMPTION_MONTHS_BACK = 12
EXEMPTION_MONTHS_AHEAD = 36


class AllocationError(ValidationError):
    """A rule of allocation refused the change."""


class ExemptionError(ValidationError):
    """An exemption could not be granted or withdrawn as asked."""


def _month_label(month: datetime.date) -> str:
    return month.strftime("%B %Y")


def _lock_plan(plan: MonthPlan) -> MonthPlan:
    """Lock the plan row and refuse when it is no longer a draft."""
    locked = MonthPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != MonthPlan.Status.DRAFT:
        raise AllocationError(
            f"The allocation for {_month_label(locked.month)} is already confirmed; it can no longer be changed."
        )
    return locked


# --- Proposing ------------------------------------------------------------------------------------


def month_plan_propose(*, month: datetime.date, by: User, seed: int | None = None) -> MonthPlan:
    """Build (or rebuild) the draft proposal for `month`. The same data and seed give the same proposal."""
    month = month_start(month)
    if month < month_start(timezone.localdate()):
        raise AllocationError(f"{_month_label(month)} has passed; only this month or a later one can be planned.")
    if seed is None:
        # Six digits: short enough for a person to note down and type in again.
        seed = secrets.randbelow(1_000_000)
    policy = Policy.current()
    with transaction.atomic():
        plan, _ = MonthPlan.objects.get_or_create(month=month)
        plan = _lock_plan(plan)
        inputs = allocation_inputs(month, policy)
        result = allocate(
            rules=inputs.rules,
            auditors=inputs.auditors,
            teams=inputs.teams,
            children=inputs.children,
            reaudits=inputs.reaudits,
            seed=seed,
        )
        ProposedAllocation.objects.filter(plan=plan).delete()
        ProposedAllocation.objects.bulk_create(
            ProposedAllocation(
                plan=plan, auditor_id=line.auditor_id, child_id=line.child_id, kind=line.kind, reason=line.reason
            )
            for line in result.lines
        )
        plan.seed = seed
        plan.proposed_at = timezone.now()
        plan.proposed_by = by
        plan.save(update_fields=["seed", "proposed_at", "proposed_by"])
    return plan


# --- Editing the proposal -------------------------------------------------------------------------


def check_no_conflict(*, auditor: User, child: Child, policy: Policy) -> None:
    """The conflict rules every allocation keeps, monthly or a programme's sample: nobody audits their own
    case, nor (unless the QA policy allows it) a child of their own team. Raises with the field to blame."""
    if child.social_worker_id == auditor.pk:
        raise AllocationError({"auditor": f"{auditor} is {child.case_ref}'s social worker."})
    if not policy.allow_own_team and child.team_id in own_team_ids_by_user([auditor.pk]).get(auditor.pk, set()):
        raise AllocationError(
            {
                "auditor": f"{child.case_ref} is in {auditor}'s own team ({child.team}), "
                "and the QA policy does not allow auditing your own team's children."
            }
        )


def check_line(
    *,
    auditor: User,
    child: Child,
    may_audit: bool,
    lines: QuerySet,
    line: models.Model | None,
    draft_name: str,
    policy: Policy | None = None,
    refuse_auditor: Callable[[User], None] | None = None,
    refuse_child: Callable[[Child], None] | None = None,
) -> None:
    """The rules every hand-edited line keeps, monthly proposal or a programme's sample; raises with the field to
    blame. `may_audit` says whether the person's role lets them audit; `lines` are the draft's lines, where the
    child may stand once (`line` is the one being changed); `refuse_auditor` and `refuse_child` add a draft's own
    rules, checked after the person's role and after whether the case is open. Without `policy`, the current QA
    policy is read when the conflict rules need it."""
    if not (auditor.is_active and may_audit):
        raise AllocationError({"auditor": f"{auditor} is not an active auditor."})
    if refuse_auditor is not None:
        refuse_auditor(auditor)
    if not child.is_open:
        raise AllocationError({"child": f"{child.case_ref} is a closed case."})
    if refuse_child is not None:
        refuse_child(child)
    check_no_conflict(auditor=auditor, child=child, policy=policy or Policy.current())
    others = lines.filter(child=child)
    if line is not None:
        others = others.exclude(pk=line.pk)
    if others.exists():
        raise AllocationError({"child": f"{child.case_ref} is already in {draft_name}."})


@dataclass(frozen=True)
class LineEditing:
    """How the lines of one kind of draft are edited by hand: a month's proposal or a programme's sample.

    `parent` names the line's field that holds its draft; `lock` locks the draft's row and refuses once it is
    confirmed, returning the locked row; `check(parent, auditor=, child=, line=)` refuses a line that breaks a
    rule (see `check_line`).
    """

    model: type[models.Model]
    parent: str
    lock: Callable[[Any], Any]
    check: Callable[..., None]


def line_reassign(editing: LineEditing, *, line: Any, auditor: User) -> Any:
    """Give the line's child to another person; the reason for choosing the child stays. Call inside a transaction."""
    parent = editing.lock(getattr(line, editing.parent))
    line = editing.model.objects.select_related("child__team").get(pk=line.pk)
    editing.check(parent, auditor=auditor, child=line.child, line=line)
    line.auditor = auditor
    line.save(update_fields=["auditor"])
    return line


def line_swap_child(editing: LineEditing, *, line: Any, child: Child, by: User) -> Any:
    """Give the line's person another child, chosen by hand. Call inside a transaction."""
    parent = editing.lock(getattr(line, editing.parent))
    line = editing.model.objects.select_related("auditor").get(pk=line.pk)
    if line.auditor is None:
        raise AllocationError("Choose the line's auditor first.")
    editing.check(parent, auditor=line.auditor, child=child, line=line)
    line.child = child
    line.kind = AuditKind.MANUAL
    line.reason = f"chosen by hand by {by}"[:200]
    line.save(update_fields=["child", "kind", "reason"])
    return line


def line_add(editing: LineEditing, *, parent: Any, auditor: User, child: Child, by: User) -> Any:
    """Add a line, chosen by hand, to the draft. Call inside a transaction."""
    parent = editing.lock(parent)
    editing.check(parent, auditor=auditor, child=child, line=None)
    return editing.model.objects.create(
        **{editing.parent: parent},
        auditor=auditor,
        child=child,
        kind=AuditKind.MANUAL,
        reason=f"added by hand by {by}"[:200],
    )


def line_remove(editing: LineEditing, *, line: Any) -> None:
    """Take a line out of the draft. Call inside a transaction."""
    editing.lock(getattr(line, editing.parent))
    editing.model.objects.filter(pk=line.pk).delete()


def _check_proposal_line(plan: MonthPlan, *, auditor: User, child: Child, line: ProposedAllocation | None) -> None:
    """The rules of a line of the month's proposal: `check_line`'s, the auditor's exemptions, and no child
    already allocated in the month."""

    def refuse_exempt(auditor: User) -> None:
        if is_exempt(auditor, plan.month):
            raise AllocationError({"auditor": f"{auditor} is exempt from auditing in {_month_label(plan.month)}."})

    check_line(
        auditor=auditor,
        child=child,
        policy=Policy.current(),
        may_audit=auditor.is_auditor,
        lines=ProposedAllocation.objects.filter(plan=plan),
        line=line,
        draft_name="this month's proposal",
        refuse_auditor=refuse_exempt,
    )
    if Audit.objects.filter(month=plan.month, child=child).exists():
        raise AllocationError({"child": f"{child.case_ref} is already allocated in {_month_label(plan.month)}."})


PROPOSAL_LINES = LineEditing(model=ProposedAllocation, parent="plan", lock=_lock_plan, check=_check_proposal_line)


@transaction.atomic
def proposal_reassign(*, line: ProposedAllocation, auditor: User, by: User) -> ProposedAllocation:
    """Give the line's child to another auditor; the reason for choosing the child stays."""
    return line_reassign(PROPOSAL_LINES, line=line, auditor=auditor)


@transaction.atomic
def proposal_swap_child(*, line: ProposedAllocation, child: Child, by: User) -> ProposedAllocation:
    """Give the line's auditor another child, chosen by hand."""
    return line_swap_child(PROPOSAL_LINES, line=line, child=child, by=by)


@transaction.atomic
def proposal_add(*, plan: MonthPlan, auditor: User, child: Child, by: User) -> ProposedAllocation:
    return line_add(PROPOSAL_LINES, parent=plan, auditor=auditor, child=child, by=by)


@transaction.atomic
def proposal_remove(*, line: ProposedAllocation, by: User) -> None:
    line_remove(PROPOSAL_LINES, line=line)


# --- Confirming -----------------------------------------------------------------------------------


def month_plan_confirm(*, plan: MonthPlan, by: User) -> list[Audit]:
    """Turn the proposal into allocations, once, and e-mail each auditor after the commit.

    The conditional UPDATE on status=draft is the lock: of two QA officers
    confirming at once, the second waits for the first to commit, then
    updates no row and is told the month is already confirmed.
    """
    policy = Policy.current()
    now = timezone.now()
    with transaction.atomic():
        won = MonthPlan.objects.filter(pk=plan.pk, status=MonthPlan.Status.DRAFT).update(
            status=MonthPlan.Status.CONFIRMED, confirmed_at=now, confirmed_by=by
        )
        if not won:
            raise AllocationError(f"The allocation for {_month_label(plan.month)} is already confirmed.")
        lines = list(
            ProposedAllocation.objects.filter(plan=plan)
            .select_related("auditor", "child__team")
            .order_by("auditor_id", "child__case_ref")
        )
        if not lines:
            raise AllocationError("There is nothing to confirm: propose the allocation (or add lines) first.")
        problems = [f"{line.auditor} is no longer an active auditor." for line in lines if not line.auditor.is_active]
        problems += [f"{line.child.case_ref} has been closed." for line in lines if not line.child.is_open]
        if problems:
            raise AllocationError([*problems, "Change or remove those lines, then confirm again."])
        template = TemplateVersion.objects.filter(is_current=True, programme__kind="monthly").first()
        if template is None:
            raise AllocationError("There is no current practice-area template; publish one before confirming.")
        due_on = due_date(plan.month, policy.due_day)
        # A proposed re-audit (kept as such through confirmation) is linked to the audit it follows.
        earlier = reaudited_audit_ids(plan.month, [line.child_id for line in lines if line.kind == AuditKind.REAUDIT])
        audits = [
            Audit(
                month=plan.month,
                plan=plan,
                auditor=line.auditor,
                child=line.child,
                team=line.child.team,
                service_area_id=line.child.team.service_area_id,
                legal_status=line.child.legal_status,
                social_worker_id=line.child.social_worker_id,
                template=template,
                programme_id=template.programme_id,
                due_on=due_on,
                kind=line.kind,
                allocation_reason=line.reason,
                reaudit_of_id=earlier.get(line.child_id) if line.kind == AuditKind.REAUDIT else None,
                contact_child=True,
                # Care leavers are young adults: the audit does not plan to contact parents.
                contact_parents=line.child.legal_status != LegalStatus.CARE_LEAVER,
                contact_iro=line.child.legal_status in IRO_LEGAL_STATUSES,
            )
            for line in lines
        ]
        audits = bulk_create_with_history(audits, Audit, default_user=by, default_change_reason="allocation confirmed")
        data_version_bump()

        # One task for the month, queued after the commit so the worker finds the audits.
        enqueue("audits.tasks.notify_allocation", plan.pk)
    plan.status, plan.confirmed_at, plan.confirmed_by = MonthPlan.Status.CONFIRMED, now, by
    return audits


def allocation_notify_plan(*, plan_id: int) -> int:
    """E-mail each auditor of a plan who has not yet been told about their allocations; returns how many were."""
    auditor_ids = (
        Audit.objects.filter(plan_id=plan_id, allocation_notified_at__isnull=True)
        .order_by("auditor_id")
        .values_list("auditor_id", flat=True)
        .distinct()
    )
    # One SMTP connection for the whole month rather than one per auditor.
    with get_connection() as connection:
        return sum(
            allocation_notify(plan_id=plan_id, auditor_id=auditor_id, connection=connection)
            for auditor_id in list(auditor_ids)
        )


def allocation_notify_programme(*, programme_id: int) -> int:
    """E-mail each person given audits of a themed audit, dip sample or practice week who has not yet been told;
    returns how many were."""
    auditor_ids = (
        Audit.objects.filter(programme_id=programme_id, plan__isnull=True, allocation_notified_at__isnull=True)
        .order_by("auditor_id")
        .values_list("auditor_id", flat=True)
        .distinct()
    )
    with get_connection() as connection:
        return sum(
            allocation_notify(programme_id=programme_id, auditor_id=auditor_id, connection=connection)
            for auditor_id in list(auditor_ids)
        )


def allocation_notify(
    *, auditor_id: int, plan_id: int | None = None, programme_id: int | None = None, connection=None
) -> bool:
    """E-mail an auditor their new allocations of a month's plan (or of a programme's confirmed sample) once.
    Returns False when there is nothing (left) to send."""
    scope = Q(plan_id=plan_id) if plan_id is not None else Q(programme_id=programme_id, plan__isnull=True)
    with transaction.atomic():
        audits = list(
            Audit.objects.select_for_update(of=("self",))
            .filter(scope, auditor_id=auditor_id, allocation_notified_at__isnull=True)
            .select_related("auditor", "child", "team", "programme")
            .order_by("due_on", "child__case_ref")
        )
        if not audits:
            return False
        auditor = audits[0].auditor
        if not auditor.email:
            return False
        month = audits[0].month
        context = {
            "auditor": auditor,
            "audits": audits,
            "month": month,
            "programme": None if plan_id is not None else audits[0].programme,
            "url": settings.SITE_URL.rstrip("/") + reverse("audits:my_audits"),
        }
        send_mail(
            subject=render_to_string("allocation/email/allocation_subject.txt", context).strip(),
            message=render_to_string("allocation/email/allocation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[auditor.email],
            connection=connection,
        )
        Audit.objects.filter(pk__in=[a.pk for a in audits]).update(allocation_notified_at=timezone.now())
    return True


# --- Chasing returns -------------------------------------------------------------------------------


def return_reminder_send(*, auditor: User, month: datetime.date, by: User) -> tuple[ReturnReminder, bool]:
    """Remind `auditor` by e-mail of their audits of `month` not yet returned: at most once a day.

    Returns the day's reminder and whether this call made it. A second call the same day (a second click, or
    another QA officer at the same moment) finds the first reminder, sends nothing and returns False; the unique
    constraint on (auditor, month, day) decides between two at once. The e-mail goes after the commit.
    """
    today = timezone.localdate()
    existing = (
        ReturnReminder.objects.filter(auditor=auditor, month=month, sent_on=today).select_related("sent_by").first()
    )
    if existing is not None:
        return existing, False
    outstanding = Audit.objects.filter(month=month, auditor=auditor, status__in=OUTSTANDING_STATUSES).count()
    if not outstanding:
        raise AllocationError(
            f"{auditor} has no audits for {_month_label(month)} waiting to be returned, so there is nothing to "
            "remind them of."
        )
    if not (auditor.is_active and auditor.email):
        raise AllocationError(
            f"{auditor} cannot be e-mailed: their account has no e-mail address or is inactive. "
            "Add the address in the administration pages, then send the reminder."
        )
    not_queued: list[int] = []
    with transaction.atomic():
        reminder, created = ReturnReminder.objects.get_or_create(
            auditor=auditor, month=month, sent_on=today, defaults={"sent_by": by, "outstanding": outstanding}
        )
        if created:
            enqueue("audits.tasks.send_return_reminder", reminder.pk, on_failure=lambda: not_queued.append(reminder.pk))
    if not_queued:
        # The queue did not answer (enqueue ran after the commit, above): today's reminder must not read as sent,
        # or the next click would be told "already reminded" about an e-mail that never went.
        ReturnReminder.objects.filter(pk__in=not_queued, emailed_at__isnull=True).delete()
        raise AllocationError(
            f"The reminder to {auditor} could not be sent: the e-mail queue is not answering. "
            "Nothing was recorded; try again in a few minutes."
        )
    return reminder, created


def return_reminder_email(*, reminder_id: int) -> bool:
    """E-mail a reminder's auditor the month's audits they have still to return. Once: `emailed_at` guards a rerun.

    Returns False when already e-mailed, or when nothing is left to return by the time the task runs.
    """
    with transaction.atomic():
        reminder = ReturnReminder.objects.select_for_update().select_related("auditor").get(pk=reminder_id)
        if reminder.emailed_at is not None:
            return False
        today = timezone.localdate()
        audits = list(
            Audit.objects.filter(month=reminder.month, auditor_id=reminder.auditor_id, status__in=OUTSTANDING_STATUSES)
            .select_related("child", "team")
            .order_by("due_on", "child__case_ref")
        )
        for audit in audits:
            audit.days_overdue = (today - audit.due_on).days if audit.is_overdue_on(today) else 0
        auditor = reminder.auditor
        sent = False
        if audits and auditor.is_active and auditor.email:
            context = {
                "auditor": auditor,
                "audits": audits,
                "month": reminder.month,
                "url": settings.SITE_URL.rstrip("/") + reverse("audits:my_audits"),
            }
            send_mail(
                subject=render_to_string("allocation/email/return_reminder_subject.txt", context).strip(),
                message=render_to_string("allocation/email/return_reminder.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[auditor.email],
            )
            sent = True
        ReturnReminder.objects.filter(pk=reminder.pk).update(emailed_at=timezone.now())
    return sent


# --- Exemptions -----------------------------------------------------------------------------------


def _months_covered_q(exemption: Exemption) -> Q:
    """The months an exemption covers, as a Q over a `month` field (Audit.month or MonthPlan.month)."""
    if exemption.kind == Exemption.Kind.SINGLE_MONTH:
        return Q(month=exemption.month)
    q = Q(month__gte=month_start(exemption.starts_on)) if exemption.starts_on else Q()
    if exemption.ends_on:
        q &= Q(month__lte=exemption.ends_on)
    return q


def exemption_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day an exemption may cover, seen from `today` (EXEMPTION_MONTHS_BACK/AHEAD)."""
    this_month = month_start(today)
    return add_months(this_month, -EXEMPTION_MONTHS_BACK), month_end(add_months(this_month, EXEMPTION_MONTHS_AHEAD))


def detail_too_long_message(length: int) -> str:
    return f"The detail is {length:,} characters long; keep it to {LONG_TEXT_MAX:,} characters or fewer."


def exemption_problems(
    *,
    kind: str,
    reason: str,
    month: datetime.date | None,
    approved_by: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    detail: str = "",
    today: datetime.date | None = None,
) -> dict[str, str]:
    """What an exemption is missing, by field: the one statement of what each kind needs (the form shows it too)."""
    errors: dict[str, str] = {}
    first, last = exemption_window(today or timezone.localdate())
    if kind not in Exemption.Kind.values:
        errors["kind"] = "Choose standing or single-month."
    if reason not in Exemption.Reason.values:
        errors["reason"] = "Choose the reason for the exemption."
    if kind == Exemption.Kind.SINGLE_MONTH:
        if month is None:
            errors["month"] = "Enter the month of the exemption, for example 2026-12."
        elif not first <= month <= last:
            errors["month"] = f"Enter a month from {first:%B %Y} to {last:%B %Y}."
        if not approved_by.strip():
            errors["approved_by"] = (
                "Enter the approving director: a single-month exemption needs a director's approval."
            )
    if kind == Exemption.Kind.STANDING:
        for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
            if day is not None and not first <= day <= last:
                errors[name] = f"Enter a date from {first.day} {first:%b %Y} to {last.day} {last:%b %Y}."
        if "ends_on" not in errors and starts_on and ends_on and ends_on < starts_on:
            errors["ends_on"] = "The end date must be on or after the start date."
    if len(detail) > LONG_TEXT_MAX:
        errors["detail"] = detail_too_long_message(len(detail))
    return errors


@transaction.atomic
def exemption_grant(
    *,
    user: User,
    kind: str,
    reason: str,
    month: datetime.date | None = None,
    approved_by: str = "",
    detail: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    by: User,
) -> Exemption:
    """Record an exemption and apply it to what is already planned.

    Allocations already confirmed for a covered month and not yet started
    on (still draft) become exempted, so the month's scheduled count drops;
    lines for the person in a covered month's draft proposal are removed, as
    they would not have been proposed.
    """
    approved_by = approved_by.strip()
    if kind == Exemption.Kind.STANDING:
        month = None
        starts_on = starts_on or timezone.localdate()
    errors = exemption_problems(
        kind=kind,
        reason=reason,
        month=month,
        approved_by=approved_by,
        starts_on=starts_on,
        ends_on=ends_on,
        detail=detail.strip(),
    )
    if errors:
        raise ExemptionError(errors)

    User.objects.select_for_update().get(pk=user.pk)  # One grant per person at a time: no duplicate exemptions.
    if kind == Exemption.Kind.SINGLE_MONTH:
        month = month_start(month)
        if Exemption.objects.filter(user=user, kind=kind, month=month, is_active=True).exists():
            raise ExemptionError({"month": f"{user} already has an exemption for {_month_label(month)}."})
    elif Exemption.objects.filter(user=user, kind=kind, is_active=True).exists():
        raise ExemptionError({"user": f"{user} already has a standing exemption; withdraw it first to change it."})

    exemption = Exemption.objects.create(
        user=user,
        kind=kind,
        month=month,
        reason=reason,
        detail=detail.strip(),
        approved_by=approved_by,
        starts_on=starts_on if kind == Exemption.Kind.STANDING else None,
        ends_on=ends_on if kind == Exemption.Kind.STANDING else None,
        created_by=by,
    )
    covered = _months_covered_q(exemption)
    reason_text = exemption.get_reason_display() + (f" (approved by {approved_by})" if approved_by else "")
    for audit in Audit.objects.select_for_update().filter(covered, auditor=user, status=Audit.Status.DRAFT):
        audit.status = Audit.Status.EXEMPTED
        audit.exemption = exemption
        audit.exemption_reason = reason_text
        audit.save(update_fields=["status", "exemption", "exemption_reason"])  # save(): keeps the audit's history
    draft_plans = MonthPlan.objects.filter(covered, status=MonthPlan.Status.DRAFT)
    ProposedAllocation.objects.filter(plan__in=draft_plans, auditor=user).delete()
    return exemption


@transaction.atomic
def exemption_withdraw(*, exemption: Exemption, by: User) -> Exemption:
    """End an exemption; allocations it had exempted are back in progress and count as scheduled again."""
    exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if not exemption.is_active:
        raise ExemptionError("This exemption has already been withdrawn.")
    exemption.is_active = False
    if exemption.kind == Exemption.Kind.STANDING:
        today = timezone.localdate()
        exemption.ends_on = max(today, exemption.starts_on) if exemption.starts_on else today
    exemption.save(update_fields=["is_active", "ends_on"])
    for audit in Audit.objects.select_for_update().filter(exemption=exemption, status=Audit.Status.EXEMPTED):
        audit.status = Audit.Status.DRAFT
        audit.exemption = None
        audit.exemption_reason = ""
        audit.save(update_fields=["status", "exemption", "exemption_reason"])
    return exemption
