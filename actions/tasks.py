"""Celery tasks for actions and Children of Concern: each takes ids, loads rows and calls a service."""

from celery import shared_task

from actions import notifications


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def notify_child_of_concern(self, concern_id: int) -> bool:
    """E-mail the team manager and head of service; the `notified_at` guard makes a rerun send nothing."""
    return notifications.child_of_concern_notify(concern_id=concern_id)
