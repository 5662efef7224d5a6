"""Celery tasks for allocation: each takes ids, loads the rows and calls a service; a rerun sends nothing twice.

The tasks keep the names they were registered under in the audits app, so a message queued (or waiting to be
retried) by the release before issue 11 still finds its task after the upgrade.
"""

from celery import shared_task

from allocation import services
from qa_portal.celery import MAIL_RETRY


@shared_task(
    name="audits.tasks.notify_allocation",
    bind=True,
    **MAIL_RETRY,
)
def notify_allocation(self, plan_id: int) -> int:
    """E-mail every auditor of a confirmed month their allocations; returns how many were e-mailed.

    Each auditor's `allocation_notified_at` stamp is set as their e-mail goes,
    so a retry after a failed send (or a redelivery) only e-mails those not yet told.
    """
    return services.allocation_notify_plan(plan_id=plan_id)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def notify_programme_allocation(self, programme_id: int) -> int:
    """E-mail everyone given audits of a themed audit, dip sample or practice week; `allocation_notified_at` guards
    a rerun as for the monthly allocation."""
    return services.allocation_notify_programme(programme_id=programme_id)


@shared_task(
    name="audits.tasks.send_return_reminder",
    bind=True,
    **MAIL_RETRY,
)
def send_return_reminder(self, reminder_id: int) -> bool:
    """E-mail the reminder the QA team asked for on the month's returns page; `emailed_at` guards a rerun."""
    return services.return_reminder_email(reminder_id=reminder_id)
