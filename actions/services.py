"""Writes for actions and Children of Concern.

Every state change is guarded here (a domain error with a message fit for the
person who tried it), done in one transaction on a row locked with
`select_for_update`, and written to the history (ActionChange for actions,
ConcernReview for the QA team's decisions; django-simple-history keeps every
version of both rows as well).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from actions.models import Action, ActionChange, ChildOfConcern, ConcernReview
from actions.selectors import (
    user_may_complete_action,
    user_may_move_due,
    user_may_reopen,
    user_may_respond,
    user_may_review,
)
from actions.workdays import add_working_days
from audits.models import Audit, Grade, Policy
from people.models import User


class DomainError(Exception):
    """A change the rules do not allow; the message says why, for the person who tried; `field` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ActionError(DomainError):
    pass


class ConcernError(DomainError):
    pass


def _required(text: str, message: str, error: type[DomainError], field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise error(message, field)
    return text


# --- Actions ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def action_complete(*, action: Action, by: User, on: datetime.date, note: str) -> Action:
    """The owner (or their manager) records the action done, with what changed for the child."""
    if not user_may_complete_action(user=by, action=action):
        raise PermissionDenied("Only the action's owner or their manager can complete it.")
    note = _required(note, "Say what changed for the child.", ActionError, "note")
    if on > timezone.localdate():
        raise ActionError("The completion date cannot be in the future.", "on")
    locked = Action.objects.select_for_update().select_related("audit").get(pk=action.pk)
    if on < locked.audit.month:
        raise ActionError("The completion date cannot be before the audit's month.", "on")
    if locked.completed_on is not None:
        raise ActionError("This action is already completed.")
    locked.completed_on = on
    locked.completed_by = by
    locked.completion_note = note
    locked.save(update_fields=["completed_on", "completed_by", "completion_note"])
    ActionChange.objects.create(action=locked, kind=ActionChange.Kind.COMPLETED, reason=note, completed_on=on, by=by)
    return locked


@transaction.atomic
def action_reopen(*, action: Action, by: User, reason: str) -> Action:
    """The QA team withdraws a completion (e.g. nothing changed for the child); the reason is kept."""
    if not user_may_reopen(user=by):
        raise PermissionDenied("Only the QA team can reopen an action.")
    reason = _required(reason, "Give the reason for reopening.", ActionError, "reason")
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.completed_on is None:
        raise ActionError("This action is not completed, so there is nothing to reopen.")
    ActionChange.objects.create(
        action=locked, kind=ActionChange.Kind.REOPENED, reason=reason, completed_on=locked.completed_on, by=by
    )
    locked.completed_on = None
    locked.completed_by = None
    locked.completion_note = ""
    locked.save(update_fields=["completed_on", "completed_by", "completion_note"])
    return locked


@transaction.atomic
def action_move_due(*, action: Action, by: User, new_due_on: datetime.date, reason: str) -> Action:
    """Move the due date, with a reason; reminders start again for the new date."""
    if not user_may_move_due(user=by, action=action):
        raise PermissionDenied("Only the owner, their manager or the QA team can move a due date.")
    reason = _required(reason, "Give the reason for moving the due date.", ActionError, "reason")
    if new_due_on < timezone.localdate():
        raise ActionError("The new due date cannot be in the past.", "new_due_on")
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.completed_on is not None:
        raise ActionError("This action is completed; reopen it before moving its due date.")
    if new_due_on == locked.due_on:
        raise ActionError("The new due date is the same as the current one.", "new_due_on")
    ActionChange.objects.create(
        action=locked,
        kind=ActionChange.Kind.DUE_DATE,
        old_due_on=locked.due_on,
        new_due_on=new_due_on,
        reason=reason,
        by=by,
    )
    locked.due_on = new_due_on
    # The reminders were about the old date: clearing the guards lets the daily job remind for the new one.
    locked.reminded_before_due_at = None
    locked.reminded_overdue_at = None
    locked.manager_notified_overdue_at = None
    locked.escalated_at = None
    locked.save(
        update_fields=[
            "due_on",
            "reminded_before_due_at",
            "reminded_overdue_at",
            "manager_notified_overdue_at",
            "escalated_at",
        ]
    )
    return locked


# --- Children of Concern ----------------------------------------------------------------------------------------------


def _coc_trigger(audit: Audit) -> str | None:
    if audit.final_grade == Grade.INADEQUATE:
        return ChildOfConcern.Trigger.INADEQUATE
    if audit.immediate_concern and audit.is_returned:
        return ChildOfConcern.Trigger.IMMEDIATE_CONCERN
    return None


@transaction.atomic
def child_of_concern_evaluate(*, audit: Audit, previous_grade: str = "") -> ChildOfConcern | None:
    """Raise a Child of Concern once per audit when its final grade is Inadequate or it flags immediate concern.

    Called by `audits.grading.audit_set_final_grade` on every grade change. If a
    later moderation lifts the grade above Inadequate, the open notification is
    marked so, and the QA team decides whether to close it.
    """
    existing = ChildOfConcern.objects.select_for_update().filter(audit=audit).first()
    trigger = _coc_trigger(audit)
    if existing is not None:
        if trigger is None and existing.grade_lifted_at is None and existing.status != ChildOfConcern.Status.RESOLVED:
            existing.grade_lifted_at = timezone.now()
            existing.save(update_fields=["grade_lifted_at"])
        elif trigger is not None and existing.grade_lifted_at is not None:
            existing.grade_lifted_at = None
            existing.save(update_fields=["grade_lifted_at"])
        return existing
    if trigger is None:
        return None
    today = timezone.localdate()
    concern = ChildOfConcern.objects.create(
        audit=audit,
        child=audit.child,
        trigger=trigger,
        raised_on=today,
        response_due_on=add_working_days(today, Policy.current().coc_response_working_days),
    )
    from actions.tasks import notify_child_of_concern

    # robust: a mail server that is down must not turn the auditor's submit into an error page; the
    # notification stays unsent (notified_at empty) and the daily job sends it again.
    transaction.on_commit(lambda: notify_child_of_concern.delay(concern.pk), robust=True)
    return concern


@transaction.atomic
def child_of_concern_respond(
    *, concern: ChildOfConcern, by: User, safety: str, service_offer: str, next_steps: str
) -> ChildOfConcern:
    """The team's manager or head of service answers the three questions; the QA team then reviews it."""
    if not user_may_respond(user=by, concern=concern):
        raise PermissionDenied("Only the team's manager or head of service can respond.")
    safety = _required(safety, "Say what is being done to make sure the child is safe.", ConcernError, "safety")
    service_offer = _required(
        service_offer,
        "Give assurance that the service offer is right for the child's needs.",
        ConcernError,
        "service_offer",
    )
    next_steps = _required(
        next_steps, "Set out the next steps to a good service, with dates.", ConcernError, "next_steps"
    )
    locked = ChildOfConcern.objects.select_for_update().get(pk=concern.pk)
    if locked.status != ChildOfConcern.Status.AWAITING_RESPONSE:
        raise ConcernError("This Child of Concern is not awaiting a response.")
    locked.safety_response = safety
    locked.service_offer_response = service_offer
    locked.next_steps_response = next_steps
    locked.responded_by = by
    locked.responded_at = timezone.now()
    locked.status = ChildOfConcern.Status.RESPONDED
    locked.save(
        update_fields=[
            "safety_response",
            "service_offer_response",
            "next_steps_response",
            "responded_by",
            "responded_at",
            "status",
        ]
    )
    return locked


@transaction.atomic
def child_of_concern_resolve(*, concern: ChildOfConcern, by: User, note: str = "") -> ChildOfConcern:
    """The QA team accepts the response, or closes a concern whose grade moderation lifted (then with a note)."""
    if not user_may_review(user=by):
        raise PermissionDenied("Only the QA team can resolve a Child of Concern.")
    note = (note or "").strip()
    locked = ChildOfConcern.objects.select_for_update().get(pk=concern.pk)
    if locked.status == ChildOfConcern.Status.RESOLVED:
        raise ConcernError("This Child of Concern is already resolved.")
    if locked.status == ChildOfConcern.Status.AWAITING_RESPONSE:
        if locked.grade_lifted_at is None:
            raise ConcernError("The team has not responded yet, so there is nothing to resolve.")
        note = _required(note, "Say why it can be closed without the team's response.", ConcernError, "note")
    today = timezone.localdate()
    locked.status = ChildOfConcern.Status.RESOLVED
    locked.resolved_on = today
    locked.resolved_by = by
    locked.review_note = note
    locked.save(update_fields=["status", "resolved_on", "resolved_by", "review_note"])
    ConcernReview.objects.create(concern=locked, decision=ConcernReview.Decision.RESOLVED, note=note, by=by)
    return locked


@transaction.atomic
def child_of_concern_return(*, concern: ChildOfConcern, by: User, note: str) -> ChildOfConcern:
    """The QA team asks the team for more: back to awaiting a response, with a fresh deadline and a note."""
    if not user_may_review(user=by):
        raise PermissionDenied("Only the QA team can return a response.")
    note = _required(note, "Say what more the team needs to give.", ConcernError, "note")
    locked = ChildOfConcern.objects.select_for_update().get(pk=concern.pk)
    if locked.status != ChildOfConcern.Status.RESPONDED:
        raise ConcernError("Only a response under review can be returned for more.")
    today = timezone.localdate()
    locked.status = ChildOfConcern.Status.AWAITING_RESPONSE
    locked.review_note = note
    locked.response_due_on = add_working_days(today, Policy.current().coc_response_working_days)
    # A new deadline: the reminder and escalation guards were for the old one.
    locked.reminded_at = None
    locked.escalated_at = None
    locked.save(update_fields=["status", "review_note", "response_due_on", "reminded_at", "escalated_at"])
    review = ConcernReview.objects.create(concern=locked, decision=ConcernReview.Decision.RETURNED, note=note, by=by)
    from actions.tasks import notify_concern_returned

    transaction.on_commit(lambda: notify_concern_returned.delay(review.pk), robust=True)
    return locked
