"""Writes for actions and Children of Concern.

Every state change is guarded here (a domain error with a message fit for the
person who tried it), done in one transaction on a row locked with
`select_for_update`, and written to the history (ActionChange for actions,
ConcernReview for the QA team's decisions; django-simple-history keeps every
version of both rows as well).
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
from audits.completion import ActionInput, save_with_history
from audits.models import Audit, Grade, Policy
from common.bulk import BulkInsert
from common.data_version import data_version_bump
from common.errors import ApplicationError
from common.workdays import add_working_days
from people.models import User
from qa_portal.celery import enqueue


class ActionError(ApplicationError):
    """An action's rules refused the change."""


class ConcernError(ApplicationError):
    """A Child of Concern's rules refused the change."""


def _required(text: str, message: str, error: type[ApplicationError], field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise error(message, field)
    return text


# --- Actions ----------------------------------------------------------------------------------------------------------


def action_create(
    *,
    audit: Audit,
    description: str,
    owner: User,
    due_on: datetime.date,
    in_care_plan: bool = False,
    theme_id: int | None = None,
    by: User | None = None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Action:
    """Add one action to an audit, with its history entry (who, why, when). The one place an Action is made."""
    action = Action(
        audit=audit,
        description=description,
        owner=owner,
        due_on=due_on,
        in_care_plan=in_care_plan,
        theme_id=theme_id,
    )
    if by is None:
        # No one named (a step after the form, such as finalising): the history takes the signed-in user.
        action._change_reason = reason
        action.save()
    else:
        save_with_history(action, by=by, reason=reason, now=now or timezone.now())
    return action


def action_build(**fields) -> Action:
    """An action not yet saved, for a writer that saves many at once with `actions_create_many` (the demo)."""
    return Action(**fields)


def actions_create_many(*, actions: Sequence[Action], batch_size: int | None = None) -> list[Action]:
    """Save many new actions at once (no history entries: they are records of the past). Returns them with ids."""
    created = Action.objects.bulk_create(actions, batch_size=batch_size)
    data_version_bump()
    return created


# A tracker's actions, as the importer hands them over: one tuple of these values per action.
IMPORTED_ACTION_COLUMNS = ("external_ref", "audit_id", "description", "owner_id", "due_on", "completed_on")


def actions_import_many(*, rows: Iterable[tuple]) -> int:
    """Add a tracker's actions, each a tuple of IMPORTED_ACTION_COLUMNS, in few statements (COPY on PostgreSQL).

    A tracker may bring 100,000 actions, where building model instances would cost more than the writing.
    Returns how many were added.
    """
    return BulkInsert(Action, IMPORTED_ACTION_COLUMNS).insert(rows)


def actions_save_from_audit_form(
    *, audit: Audit, rows: list[ActionInput], by: User, reason: str, now: datetime.datetime
) -> tuple[dict[int, int | None], list[dict]]:
    """Write the action rows of the audit form: change, remove or add actions.

    The receiver of `audits.hooks.audit_form_actions_save`. Returns form row -> the Action id it is
    now saved as (None: removed, blank or still pending), and the rows that still lack an owner or a
    due date, which the audit keeps as `pending_actions` until they are complete.
    """
    existing = {action.pk: action for action in audit.actions.all()}
    action_ids: dict[int, int | None] = {}
    pending: list[dict] = []
    for item in rows:
        action = existing.get(item.id) if item.id is not None else None
        if action is not None and item.delete:
            action._history_user = by
            action._change_reason = reason
            action.delete()
            action_ids[item.row] = None
        elif action is not None:
            # A tracked action keeps its description, owner and due date: a draft that blanks one
            # keeps the saved value (to drop an action, remove it).
            new = (
                item.description or action.description,
                item.owner or action.owner,
                item.due_on or action.due_on,
                item.in_care_plan,
                item.theme_id,
            )
            if (action.description, action.owner, action.due_on, action.in_care_plan, action.theme_id) != new:
                action.description, action.owner, action.due_on, action.in_care_plan, action.theme_id = new
                save_with_history(action, by=by, reason=reason, now=now)
            action_ids[item.row] = action.pk
        elif item.delete or item.is_blank:
            action_ids[item.row] = None
        elif item.is_complete:
            created = action_create(
                audit=audit,
                description=item.description,
                owner=item.owner,
                due_on=item.due_on,
                in_care_plan=item.in_care_plan,
                theme_id=item.theme_id,
                by=by,
                reason=reason,
                now=now,
            )
            action_ids[item.row] = created.pk
        else:
            pending.append(
                {
                    "description": item.description,
                    "owner_id": item.owner.pk if item.owner else None,
                    "due_on": item.due_on.isoformat() if item.due_on else None,
                    "in_care_plan": item.in_care_plan,
                    # Only when chosen, so drafts saved without themes keep their old shape.
                    **({"theme_id": item.theme_id} if item.theme_id else {}),
                }
            )
            action_ids[item.row] = None
    return action_ids, pending


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
    # A broker or mail server that is down must not turn the auditor's submit into an error page: enqueue logs
    # it, the notification stays unsent (notified_at empty) and the daily job sends it again.
    enqueue("actions.tasks.notify_child_of_concern", concern.pk)
    return concern


@dataclass
class ConcernFacts:
    """One audit for `children_of_concern_evaluate_many`, with what its source knows of the concern's past.

    `existing`: the audit's concern, if it has one. For a concern to raise: `raised_on`, the day its grade became
    Inadequate (None: today); `notified_at`, when its notification went (None: now, so nobody is e-mailed about
    a concern of the past); `resolved_on`, the day it was resolved, if it was. `raised_before` says a concern was
    raised when the audit was returned Inadequate and a moderation has since lifted the grade (it is raised and
    marked lifted at `lifted_at`).
    """

    audit: Audit
    existing: ChildOfConcern | None = None
    raised_on: datetime.date | None = None
    notified_at: datetime.datetime | None = None
    resolved_on: datetime.date | None = None
    raised_before: bool = False
    lifted_at: datetime.datetime | None = None


# The columns a concern raised in bulk sets; every other column takes its default.
NEW_CONCERN_COLUMNS = (
    "audit_id",
    "child_id",
    "trigger",
    "status",
    "raised_on",
    "response_due_on",
    "notified_at",
    "resolved_on",
    "grade_lifted_at",
)


def children_of_concern_evaluate_many(
    *,
    audits: Sequence[ConcernFacts],
    resolved_known: bool = False,
    now: datetime.datetime | None = None,
    write: bool = True,
    keep_ids: bool = True,
    batch_size: int = 2000,
) -> tuple[list[ChildOfConcern], list[ChildOfConcern]]:
    """The Child of Concern rule for many audits of the past at once: the tracker import and the demo.

    As `child_of_concern_evaluate`, for the Inadequate trigger (historic records carry no immediate concern):
    an audit whose final grade is Inadequate and has no concern gets one; an existing concern whose grade is no
    longer Inadequate is marked lifted, and one whose grade is Inadequate again is unmarked. With
    `resolved_known` (the source says which concerns were resolved), an existing concern takes the resolution
    given. Historic concerns are raised already notified: nobody is e-mailed now about them. Returns the new and
    the changed concerns, in the order of `audits`; writes them unless `write` is False (a dry run counts them).
    With `keep_ids` False the new concerns are written by a bulk insert (COPY on PostgreSQL), several times faster
    than `bulk_create` for a big tracker, and do not learn their ids.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = Policy.current().coc_response_working_days
    due_dates: dict[datetime.date, datetime.date] = {}
    new: list[ChildOfConcern] = []
    changed: list[ChildOfConcern] = []
    for facts in audits:
        audit, concern = facts.audit, facts.existing
        inadequate = audit.final_grade == Grade.INADEQUATE
        if concern is None:
            if not (inadequate or facts.raised_before):
                continue
            raised_on = facts.raised_on or today
            if raised_on not in due_dates:
                due_dates[raised_on] = add_working_days(raised_on, days)
            concern = ChildOfConcern(
                audit=audit,
                child_id=audit.child_id,
                trigger=ChildOfConcern.Trigger.INADEQUATE,
                raised_on=raised_on,
                response_due_on=due_dates[raised_on],
                notified_at=facts.notified_at or now,
            )
            if not inadequate:
                concern.grade_lifted_at = facts.lifted_at or now
            if facts.resolved_on is not None:
                concern.status = ChildOfConcern.Status.RESOLVED
                concern.resolved_on = facts.resolved_on
            new.append(concern)
        elif inadequate:
            touched = False
            if concern.grade_lifted_at is not None:
                concern.grade_lifted_at = None
                touched = True
            if (
                resolved_known
                and facts.resolved_on is not None
                and (concern.status != ChildOfConcern.Status.RESOLVED or concern.resolved_on != facts.resolved_on)
            ):
                concern.status = ChildOfConcern.Status.RESOLVED
                concern.resolved_on = facts.resolved_on
                touched = True
            if touched:
                changed.append(concern)
        elif concern.grade_lifted_at is None and concern.status != ChildOfConcern.Status.RESOLVED:
            # The same reaction as child_of_concern_evaluate: a lifted grade is marked, and the QA team decides.
            concern.grade_lifted_at = now
            changed.append(concern)
    if write:
        if keep_ids:
            ChildOfConcern.objects.bulk_create(new, batch_size=batch_size)
        else:
            values_of = operator.attrgetter(*NEW_CONCERN_COLUMNS)
            BulkInsert(ChildOfConcern, NEW_CONCERN_COLUMNS).insert(values_of(concern) for concern in new)
        ChildOfConcern.objects.bulk_update(changed, ["status", "resolved_on", "grade_lifted_at"], batch_size=batch_size)
        data_version_bump()
    return new, changed


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
    # Sent: what was a draft is now the response.
    locked.draft_saved_at = None
    locked.draft_saved_by = None
    locked.save(
        update_fields=[
            "safety_response",
            "service_offer_response",
            "next_steps_response",
            "responded_by",
            "responded_at",
            "status",
            "draft_saved_at",
            "draft_saved_by",
        ]
    )
    return locked


@transaction.atomic
def child_of_concern_save_draft(
    *, concern: ChildOfConcern, by: User, safety: str, service_offer: str, next_steps: str
) -> ChildOfConcern:
    """Keep the team's response as a draft without sending it; any part may still be blank.

    The concern stays awaiting a response: its deadline, reminder and escalation run on, the QA team
    sees a draft rather than a response, and the team comes back later to complete and send it.
    """
    if not user_may_respond(user=by, concern=concern):
        raise PermissionDenied("Only the team's manager or head of service can respond.")
    parts = [(text or "").strip() for text in (safety, service_offer, next_steps)]
    if not any(parts):
        raise ConcernError("Write at least one part of the response before saving a draft.", "safety")
    locked = ChildOfConcern.objects.select_for_update().get(pk=concern.pk)
    if locked.status != ChildOfConcern.Status.AWAITING_RESPONSE:
        raise ConcernError("This Child of Concern is not awaiting a response, so there is no draft to save.")
    locked.safety_response, locked.service_offer_response, locked.next_steps_response = parts
    locked.draft_saved_at = timezone.now()
    locked.draft_saved_by = by
    locked.save(
        update_fields=[
            "safety_response",
            "service_offer_response",
            "next_steps_response",
            "draft_saved_at",
            "draft_saved_by",
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
    enqueue("actions.tasks.notify_concern_returned", review.pk)
    return locked
