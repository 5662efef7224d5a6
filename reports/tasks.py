"""Celery tasks for the monthly report: each takes ids, loads rows and calls a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from qa_portal.celery import MAIL_RETRY
from reports import services

MAX_PDF_RETRIES = 3


# acks_late with reject_on_worker_lost: a worker that dies mid-PDF (killed, out of memory) leaves the message to be
# delivered again (after the broker's visibility timeout); the service's claim makes the two deliveries one PDF.
@shared_task(bind=True, max_retries=MAX_PDF_RETRIES, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
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


@shared_task(ignore_result=True)
def requeue_stale_report_documents() -> int:
    """Beat, every minute: send again the PDFs lost to a broker outage or a killed worker."""
    return services.report_documents_requeue_stale()


@shared_task
def draft_monthly_report() -> int | None:
    """Beat, every morning: on and after the first working day, a draft for last month if there is none."""
    document = services.monthly_draft_ensure(today=timezone.localdate())
    return document.pk if document else None


@shared_task(bind=True, **MAIL_RETRY)
def notify_heads_of_quality(self, document_id: int) -> bool:
    return services.heads_of_quality_notify(document_id=document_id)
