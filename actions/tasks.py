"""Celery tasks for actions and Children of Concern: each takes ids, loads rows and calls a service.

`actions_daily` is the one periodic job (CELERY_BEAT_SCHEDULE): it scans for
what is due today and enqueues one small task per person or concern. Every
sending task checks its guard column under a row lock, so running the daily
job twice, or a task being delivered twice, sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from actions import notifications, reminders
from actions.models import ChildOfConcern, ConcernReview
from audits.models import Policy
from qa_portal.celery import MAIL_RETRY

logger = logging.getLogger(__name__)

# A notification raised moments ago is still on its way through its own task; the daily job leaves it alone.
RESEND_AFTER = datetime.timedelta(minutes=30)


def _day(value: str | None) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else timezone.localdate()


def _enqueue(task, *args) -> None:
    try:
        task.delay(*args)
    except (OSError, SMTPException):
        # Reached only when tasks run in process (development, tests) and the mail still failed after its
        # retries. Its guard stays unset, so the next run sends it; the other reminders still go today.
        # Ids only in the log: no personal data.
        logger.warning("%s%r could not send; it stays due", task.name, args)


@shared_task(bind=True, **MAIL_RETRY)
def notify_child_of_concern(self, concern_id: int) -> bool:
    """E-mail the team manager and head of service; the `notified_at` guard makes a rerun send nothing."""
    return notifications.child_of_concern_notify(concern_id=concern_id)


@shared_task(bind=True, **MAIL_RETRY)
def notify_concern_returned(self, review_id: int) -> bool:
    return notifications.concern_return_notify(review_id=review_id)


@shared_task(bind=True, **MAIL_RETRY)
def chase_child_of_concern(self, concern_id: int, kind: str, day: str | None = None) -> bool:
    return notifications.child_of_concern_chase(concern_id=concern_id, kind=kind, today=_day(day))


@shared_task(bind=True, **MAIL_RETRY)
def send_action_reminders(self, key: str, user_id: int, day: str | None = None) -> int:
    return notifications.action_reminders_send(key=key, user_id=user_id, today=_day(day))


@shared_task(bind=True, **MAIL_RETRY)
def send_manager_digest(self, manager_id: int, day: str | None = None) -> int:
    return notifications.manager_digest_send(manager_id=manager_id, today=_day(day))


@shared_task
def actions_daily(day: str | None = None) -> dict[str, int]:
    """Scan for every reminder, escalation and digest due today and enqueue one task each; returns the counts."""
    today = _day(day)
    iso = today.isoformat()
    enqueued: dict[str, int] = {}

    policy = Policy.current()
    for key in reminders.ACTION_REMINDERS:
        user_ids = reminders.action_reminder_recipient_ids(key, today, policy)
        for user_id in user_ids:
            _enqueue(send_action_reminders, key, user_id, iso)
        enqueued[f"action_{key}"] = len(user_ids)

    manager_ids = reminders.digest_manager_ids(today)
    for manager_id in manager_ids:
        _enqueue(send_manager_digest, manager_id, iso)
    enqueued["manager_digest"] = len(manager_ids)

    for kind in reminders.CONCERN_CHASES:
        concern_ids = reminders.concern_chase_ids(kind, today)
        for concern_id in concern_ids:
            _enqueue(chase_child_of_concern, concern_id, kind, iso)
        enqueued[f"concern_{kind}"] = len(concern_ids)

    # Never lose a notification: whatever a failed task left unsent is sent again.
    cutoff = timezone.now() - RESEND_AFTER
    unsent = list(
        ChildOfConcern.objects.filter(notified_at__isnull=True, raised_at__lt=cutoff)
        .exclude(status=ChildOfConcern.Status.RESOLVED)
        .values_list("pk", flat=True)
    )
    for concern_id in unsent:
        _enqueue(notify_child_of_concern, concern_id)
    enqueued["concern_unsent"] = len(unsent)

    returned = list(
        ConcernReview.objects.filter(
            decision=ConcernReview.Decision.RETURNED, notified_at__isnull=True, at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for review_id in returned:
        _enqueue(notify_concern_returned, review_id)
    enqueued["concern_returned_unsent"] = len(returned)
    return enqueued
