"""Celery tasks for audits: each takes ids, loads the rows and calls a service; running one twice sends nothing twice."""

from celery import shared_task

from audits import services


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def notify_allocation(self, plan_id: int, auditor_id: int) -> bool:
    """E-mail an auditor their allocations for a confirmed month; `allocation_notified_at` guards a rerun."""
    return services.allocation_notify(plan_id=plan_id, auditor_id=auditor_id)
