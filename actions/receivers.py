"""actions' answers to the audits app's hooks (audits/hooks.py), connected in ActionsConfig.ready()."""

from __future__ import annotations

import datetime

from actions.models import Action
from actions.services import actions_save_from_audit_form, child_of_concern_evaluate
from audits.completion import ActionInput
from audits.completion_selectors import TYPE_LABELS, Change, HistorySource, history_by_object, history_changes
from audits.models import Audit
from people.models import User

# Bookkeeping columns of an action nobody needs to see in the audit's history.
HIDDEN_ACTION_FIELDS = {
    "id",
    "audit",
    "created_at",
    "reminded_before_due_at",
    "reminded_overdue_at",
    "manager_notified_overdue_at",
    "escalated_at",
}


def raise_child_of_concern(*, audit: Audit, previous_grade: str, **kwargs) -> None:
    """`final_grade_set`: the Child of Concern rule reacts to every final grade (actions.services)."""
    child_of_concern_evaluate(audit=audit, previous_grade=previous_grade)


def save_audit_form_actions(
    *, audit: Audit, rows: list[ActionInput], by: User, reason: str, now: datetime.datetime, **kwargs
) -> tuple[dict[int, int | None], list[dict]]:
    """`audit_form_actions_save`: the audit form's action rows are written by actions.services."""
    return actions_save_from_audit_form(audit=audit, rows=rows, by=by, reason=reason, now=now)


def action_history_source(*, audit: Audit, **kwargs) -> HistorySource:
    """`audit_history_sources`: the audit's actions, created, changed and removed, for its history page."""
    records = list(Action.history.filter(audit_id=audit.pk).order_by("history_date", "history_id"))
    user_ids = {r.history_user_id for r in records} | {r.owner_id for r in records}
    user_ids |= {r.completed_by_id for r in records}

    def items(users: dict[int, User]) -> list:
        found = []
        for record, previous in history_by_object(records):
            subject = f"Action: {record.description[:60]}" if record.description else "Action"
            if record.history_type == "-":
                changes = [Change(subject, "Action removed", "", "")]
            else:
                changes = history_changes(record, previous, subject=subject, hidden=HIDDEN_ACTION_FIELDS, users=users)
            if changes:
                what = record.history_change_reason or TYPE_LABELS[record.history_type]
                found.append((record.history_date, record.history_user_id, what, changes))
        return found

    return HistorySource(user_ids=user_ids, items=items)
