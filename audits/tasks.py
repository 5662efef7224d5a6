"""Celery tasks for audits: each takes ids, loads the rows and calls a service; a rerun sends nothing twice."""

from celery import shared_task

from audits import services


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def notify_allocation(self, plan_id: int) -> int:
    """E-mail every auditor of a confirmed month their allocations; returns how many were e-mailed.

    Each auditor's `allocation_notified_at` stamp is set as their e-mail goes,
    so a retry after a failed send (or a redelivery) only e-mails those not yet told.
    """
    return services.allocation_notify_plan(plan_id=plan_id)


# The audit form (issue 2/6): nil returns, due-date reminders and send-back notices.
from django.utils import timezone  # noqa: E402

from audits import completion  # noqa: E402


@shared_task
def daily_audit_housekeeping() -> dict:
    """The daily beat job: close drafts past the nil-return point, then queue today's due-date reminders.

    Safe to run twice in a day: nil returns only touch drafts, and each reminder has its own `*_at` guard.
    """
    today = timezone.localdate()
    nil_returns = completion.audits_mark_nil_returns(today=today)
    reminders = completion.audit_send_reminders(today=today)
    return {"nil_returns": nil_returns, "reminders_queued": reminders}


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def send_audit_reminder(self, audit_id: int, kind: str) -> bool:
    """E-mail the auditor a due-date reminder ("before_due" or "on_due"); its `reminded_*_at` stamp guards a rerun."""
    return completion.audit_reminder_send(audit_id=audit_id, kind=kind)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def notify_send_back(self, send_back_id: int) -> bool:
    """Tell the auditor why their audit was sent back; `auditor_notified_at` guards a rerun."""
    return completion.send_back_notify(send_back_id=send_back_id)


# Importing a spreadsheet tracker (issue 5/6): imported here so the worker registers the task.
from audits.import_tasks import import_run_execute  # noqa: E402, F401
