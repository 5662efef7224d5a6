"""Celery tasks for moderation: each takes ids, loads rows and calls a service."""

from celery import shared_task

from moderation import notifications


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def notify_auditor_of_moderation(self, moderation_id: int) -> bool:
    """E-mail the auditor their moderation result; the `auditor_notified_at` guard makes a rerun send nothing."""
    return notifications.moderation_notify_auditor(moderation_id=moderation_id)
