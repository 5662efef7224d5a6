"""Celery tasks for moderation: each takes ids, loads rows and calls a service."""

from celery import shared_task

from moderation import notifications
from qa_portal.celery import MAIL_RETRY


@shared_task(bind=True, **MAIL_RETRY)
def notify_auditor_of_moderation(self, moderation_id: int) -> bool:
    """E-mail the auditor their moderation result; the `auditor_notified_at` guard makes a rerun send nothing."""
    return notifications.moderation_notify_auditor(moderation_id=moderation_id)
