"""Writes for the monthly report: the narrative drafts, PDF documents, publishing, and the monthly draft.

A PDF is one `ReportDocument` row, unique on (month, as_of, revision). Asking
twice (a double click, two tabs, the beat job running twice) never makes two
documents: a request carries the revision it expects to create, and a request
while another PDF for the same month and date is still being made returns that
one. The Celery job is enqueued after commit and is idempotent.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.workdays import is_working_day
from people.models import User
from reports.models import ReportDocument, ReportNarrative
from reports.periods import add_months, month_end, month_key, month_start

UNFINISHED = (ReportDocument.Status.QUEUED, ReportDocument.Status.RUNNING)


class ReportError(Exception):
    """A report change the rules do not allow; the message is shown to the user."""


@transaction.atomic
def narrative_save(
    *,
    month: datetime.date,
    by: User,
    executive_summary: str,
    methodology: str,
    improvement_responses: str,
    conclusions: str,
) -> ReportNarrative:
    """Save the Head of Quality's draft narrative for the month (one row per month, history kept)."""
    narrative, _ = ReportNarrative.objects.update_or_create(
        month=month_start(month),
        defaults={
            "executive_summary": executive_summary,
            "methodology": methodology,
            "improvement_responses": improvement_responses,
            "conclusions": conclusions,
            "updated_by": by,
        },
    )
    return narrative


def report_document_next_revision(*, month: datetime.date, as_of: datetime.date) -> int:
    latest = ReportDocument.objects.filter(month=month_start(month), as_of=as_of).aggregate(n=Max("revision"))["n"]
    return (latest or 0) + 1


def report_document_request(
    *, month: datetime.date, as_of: datetime.date, by: User | None, revision: int | None = None
) -> tuple[ReportDocument, bool]:
    """Queue a PDF of the month's report; returns (document, created).

    `revision` is the one the person's page offered; a second click of the same
    page finds it taken and gets the same document back. A PDF still queued or
    being made for the same month and date is returned instead of a new one.
    """
    month = month_start(month)
    with transaction.atomic():
        pending = (
            ReportDocument.objects.select_for_update()
            .filter(month=month, as_of=as_of, status__in=UNFINISHED)
            .order_by("-revision")
            .first()
        )
        if pending is not None:
            return pending, False
        if revision is None:
            revision = report_document_next_revision(month=month, as_of=as_of)
        try:
            with transaction.atomic():
                document = ReportDocument.objects.create(
                    month=month, as_of=as_of, revision=revision, requested_by=by, is_draft=True
                )
        except IntegrityError:
            return ReportDocument.objects.get(month=month, as_of=as_of, revision=revision), False
        from reports.tasks import generate_report_document

        transaction.on_commit(lambda: generate_report_document.delay(document.pk))
    return document, True


def _set_progress(document_id: int, percent: int) -> None:
    # Outside any transaction, so the page polling for progress sees each step at once.
    ReportDocument.objects.filter(pk=document_id, status=ReportDocument.Status.RUNNING).update(progress=percent)


def report_document_build(*, document_id: int) -> ReportDocument:
    """Make the PDF for a queued document. Running it again for a finished document does nothing."""
    # Imported here so that pages which never make a PDF do not load WeasyPrint.
    from reports.pdf import report_pdf

    document = ReportDocument.objects.select_related("requested_by").get(pk=document_id)
    if document.status == ReportDocument.Status.READY:
        return document
    ReportDocument.objects.filter(pk=document_id).exclude(status=ReportDocument.Status.READY).update(
        status=ReportDocument.Status.RUNNING, progress=10, error=""
    )
    pdf = report_pdf(
        month=document.month,
        as_of=document.as_of,
        draft=document.is_draft,
        revision=document.revision,
        requested_by=str(document.requested_by) if document.requested_by else "the monthly schedule",
        progress=lambda percent: _set_progress(document_id, percent),
    )
    with transaction.atomic():
        document = ReportDocument.objects.select_for_update().get(pk=document_id)
        if document.status == ReportDocument.Status.READY:
            return document
        name = f"qa-report-{month_key(document.month)}-as-of-{document.as_of.isoformat()}-r{document.revision}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.status = ReportDocument.Status.READY
        document.progress = 100
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "status", "progress", "finished_at"])
        if document.requested_by_id is None:
            from reports.tasks import notify_heads_of_quality

            transaction.on_commit(lambda: notify_heads_of_quality.delay(document_id))
    return document


def report_document_fail(*, document_id: int, error: BaseException) -> None:
    """Record that the PDF could not be made after its retries (the error's kind only: no personal data)."""
    ReportDocument.objects.filter(pk=document_id).exclude(status=ReportDocument.Status.READY).update(
        status=ReportDocument.Status.FAILED,
        error=f"The PDF could not be made ({type(error).__name__}). Try again; if it fails again, tell support.",
        finished_at=timezone.now(),
    )


def report_document_publish(*, document: ReportDocument, by: User) -> ReportDocument:
    """Mark a finished PDF as the published version (who and when are kept; the file stays downloadable)."""
    updated = ReportDocument.objects.filter(
        pk=document.pk, status=ReportDocument.Status.READY, published_at__isnull=True
    ).update(is_draft=False, published_at=timezone.now(), published_by=by)
    if not updated:
        raise ReportError("Only a finished PDF that has not been published yet can be published.")
    document.refresh_from_db()
    return document


def first_working_day(month: datetime.date) -> datetime.date:
    day = month_start(month)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def monthly_draft_ensure(*, today: datetime.date) -> ReportDocument | None:
    """From the first working day of a month, make sure a draft PDF exists for the month before.

    The beat job calls this every morning; it does nothing before the first
    working day or once any PDF for that month (at its default as-of date) exists,
    so a missed morning is caught up and a repeated one makes nothing twice.
    """
    if today < first_working_day(today):
        return None
    month = add_months(month_start(today), -1)
    as_of = month_end(month)
    if ReportDocument.objects.filter(month=month, as_of=as_of).exists():
        return None
    document, created = report_document_request(month=month, as_of=as_of, by=None, revision=1)
    return document if created else None


def heads_of_quality_notify(*, document_id: int) -> bool:
    """E-mail the Heads of Quality that the monthly draft is ready, once (the `heads_notified_at` guard)."""
    with transaction.atomic():
        document = ReportDocument.objects.select_for_update().get(pk=document_id)
        if document.heads_notified_at is not None or document.status != ReportDocument.Status.READY:
            return False
        recipients = sorted(
            User.objects.filter(is_quality=True, is_active=True).exclude(email="").values_list("email", flat=True)
        )
        if not recipients:
            return False
        url = settings.SITE_URL.rstrip("/") + reverse(
            "reports:detail", kwargs={"year": document.month.year, "month": document.month.month}
        )
        send_mail(
            subject=f"Draft QA report for {document.month:%B %Y} is ready",
            message=render_to_string("reports/email/draft_ready.txt", {"document": document, "url": url}),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        document.heads_notified_at = timezone.now()
        document.save(update_fields=["heads_notified_at"])
    return True
