"""Celery tasks for audits: each takes ids, loads the rows and calls a service; a rerun sends nothing twice."""

from celery import shared_task
from django.utils import timezone

from audits import completion
from qa_portal.celery import MAIL_RETRY


@shared_task
def daily_audit_housekeeping() -> dict:
    """The daily beat job: close drafts past the nil-return point, then queue today's due-date reminders.

    Safe to run twice in a day: nil returns only touch drafts, and each reminder has its own `*_at` guard.
    """
    today = timezone.localdate()
    nil_returns = completion.audits_mark_nil_returns(today=today)
    reminders = completion.audit_send_reminders(today=today)
    return {"nil_returns": nil_returns, "reminders_queued": reminders}


@shared_task(bind=True, **MAIL_RETRY)
def send_audit_reminder(self, audit_id: int, kind: str) -> bool:
    """E-mail the auditor a due-date reminder ("before_due" or "on_due"); its `reminded_*_at` stamp guards a rerun."""
    return completion.audit_reminder_send(audit_id=audit_id, kind=kind)


@shared_task(bind=True, **MAIL_RETRY)
def notify_send_back(self, send_back_id: int) -> bool:
    """Tell the auditor why their audit was sent back; `auditor_notified_at` guards a rerun."""
    return completion.send_back_notify(send_back_id=send_back_id)
