"""What the daily job chases, and whom: the reminder rules as queries (reads only; sending is in notifications).

Actions (Policy: `action_reminder_days_before`, default 7; `action_escalation_days`, default 28):
- owner, when the action falls due within the reminder window (the "7 days before" mail);
- owner, and the team manager, on the day the action becomes overdue;
- head of service, once the action is overdue by more than the escalation days;
- each team manager, once a week, a digest of the team's overdue actions.
Children of Concern (response due `coc_response_working_days` working days after raising):
- manager and head of service are reminded on the day the response falls due;
- when the response is overdue it is escalated to the head of service and the QA team.

Each rule has its `*_at` guard column, set in the same transaction as the e-mail
is sent, so a job that runs twice sends nothing twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from actions.models import Action, ChildOfConcern, ManagerDigest
from actions.selectors import status_q
from audits.models import Policy

# "On the day it becomes overdue", with a few days' grace so that a job that did not run over a long
# weekend still sends. Actions that went overdue long before (imported history) are not announced as
# newly overdue: the weekly digest and the escalation to the head of service cover them.
OVERDUE_CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class ActionReminder:
    key: str
    guard: str
    recipient: str  # path from Action to the User who is told
    subject: str
    lead: str  # first line of the e-mail

    def due_q(self, today: datetime.date, policy: Policy) -> Q:
        if self.key == "before_due":
            window = Q(
                due_on__gte=today, due_on__lte=today + datetime.timedelta(days=policy.action_reminder_days_before)
            )
        elif self.key == "escalation":
            window = Q(due_on__lt=today - datetime.timedelta(days=policy.action_escalation_days))
        else:
            window = Q(due_on__lt=today, due_on__gte=today - datetime.timedelta(days=OVERDUE_CATCH_UP_DAYS))
        return (
            window
            & Q(completed_on__isnull=True)
            # Until the audit is submitted its actions are still being written: nobody is chased about them.
            & Q(audit__submitted_on__isnull=False)
            & Q(**{f"{self.guard}__isnull": True})
            & Q(**{f"{self.recipient}__is_active": True})
            & ~Q(**{f"{self.recipient}__email": ""})
        )


ACTION_REMINDERS: dict[str, ActionReminder] = {
    reminder.key: reminder
    for reminder in (
        ActionReminder(
            "before_due",
            "reminded_before_due_at",
            "owner",
            "Audit actions due soon",
            "These audit actions you own are due soon.",
        ),
        ActionReminder(
            "overdue",
            "reminded_overdue_at",
            "owner",
            "Audit actions now overdue",
            "These audit actions you own are now overdue.",
        ),
        ActionReminder(
            "manager_overdue",
            "manager_notified_overdue_at",
            "audit__team__manager",
            "Your team's audit actions are now overdue",
            "These audit actions in a team you manage have just become overdue.",
        ),
        ActionReminder(
            "escalation",
            "escalated_at",
            "audit__team__head_of_service",
            "Escalation: audit actions long overdue",
            "These audit actions in your service are overdue by more than {days} days.",
        ),
    )
}


def action_reminder_queryset(key: str, today: datetime.date, policy: Policy | None = None):
    reminder = ACTION_REMINDERS[key]
    return Action.objects.filter(reminder.due_q(today, policy or Policy.current()))


def action_reminder_recipient_ids(key: str, today: datetime.date, policy: Policy | None = None) -> list[int]:
    reminder = ACTION_REMINDERS[key]
    return list(
        action_reminder_queryset(key, today, policy).order_by().values_list(reminder.recipient, flat=True).distinct()
    )


def week_starting(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def digest_actions_q(today: datetime.date) -> Q:
    return status_q(Action.Status.OVERDUE, today) & Q(audit__submitted_on__isnull=False)


def digest_manager_ids(today: datetime.date) -> list[int]:
    """Team managers with overdue actions in their teams and no digest yet this week."""
    sent = ManagerDigest.objects.filter(manager=OuterRef("audit__team__manager"), week_starting=week_starting(today))
    return list(
        Action.objects.filter(digest_actions_q(today))
        .filter(audit__team__manager__is_active=True)
        .exclude(audit__team__manager__email="")
        .filter(~Exists(sent))
        .order_by()
        .values_list("audit__team__manager", flat=True)
        .distinct()
    )


CONCERN_CHASES = ("reminder", "escalation")


def concern_chase_q(kind: str, today: datetime.date) -> Q:
    # Concerns whose deadline passed long ago (history brought in by the tracker import) are not chased
    # one e-mail each; they stay listed as "Response overdue" on the Child of Concern page and home panels.
    awaiting = Q(
        status=ChildOfConcern.Status.AWAITING_RESPONSE,
        response_due_on__gte=today - datetime.timedelta(days=OVERDUE_CATCH_UP_DAYS),
    )
    if kind == "reminder":
        return awaiting & Q(response_due_on__lte=today, reminded_at__isnull=True)
    if kind == "escalation":
        return awaiting & Q(response_due_on__lt=today, escalated_at__isnull=True)
    raise ValueError(f"Unknown chase {kind!r}")


def concern_chase_ids(kind: str, today: datetime.date) -> list[int]:
    return list(ChildOfConcern.objects.filter(concern_chase_q(kind, today)).values_list("pk", flat=True))
