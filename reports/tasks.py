"""Celery tasks for the monthly report: each takes ids, loads rows and calls a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reports import services

MAX_PDF_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_PDF_RETRIES, acks_late=True)
def generate_report_document(self, document_id: int) -> bool:
    """Make one report PDF; retried with back-off, then marked failed so the page says so."""
    try:
        services.report_document_build(document_id=document_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            services.report_document_fail(document_id=document_id, error=exc)
            return False
        if self.request.is_eager:
            # No worker (development, tests): hand the retry back to apply(), which runs it again at once.
            return self.retry(exc=exc, throw=False)
        raise self.retry(exc=exc, countdown=20 * 2**self.request.retries) from exc
    return True


@shared_task
def draft_monthly_report() -> int | None:
    """Beat, every morning: on and after the first working day, a draft for last month if there is none."""
    document = services.monthly_draft_ensure(today=timezone.localdate())
    return document.pk if document else None


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=10)
def notify_heads_of_quality(self, document_id: int) -> bool:
    return services.heads_of_quality_notify(document_id=document_id)
