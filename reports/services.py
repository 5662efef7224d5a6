"""Writes for the monthly report: the narrative drafts, PDF documents, publishing, and the monthly draft.

A PDF is one `ReportDocument` row, unique on (month, as_of, revision); the
server numbers the revisions. Asking twice (a double click, two tabs, the beat
job running twice) never makes two documents: a request carries its page's
one-time key, and a request while another PDF for the same month and date is
still being made returns that one. The Celery job is enqueued after commit, and
it is idempotent: a worker claims the document with a conditional UPDATE, so a
redelivered message and a re-queued one still make one PDF. A document lost on
the way (the broker down, a worker killed) is sent again by the stale-document
job within minutes.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from decimal import Decimal

from django import db
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audits.models import MONTHLY_SLUG
from audits.selectors import ReportScope, report_scope_from
from common.errors import ApplicationError
from common.periods import add_months, month_end, month_start
from common.workdays import is_working_day
from people.models import User
from qa_portal.celery import BROKER_ERRORS, enqueue, task_named
from reports.models import ReportDocument, ReportNarrative, ReportTargets

logger = logging.getLogger(__name__)

UNFINISHED = (ReportDocument.Status.WAITING, ReportDocument.Status.QUEUED, ReportDocument.Status.RUNNING)
# A PDF takes seconds and reports progress as it goes; this long without a sign of life, it was lost.
STALE_AFTER = datetime.timedelta(minutes=3)
# Starts (claims) after which the stale-document job stops sending a document that keeps dying with its worker.
MAX_BUILD_ATTEMPTS = 5
# Documents the stale-document job sends per run; the rest wait a minute for the next.
STALE_BATCH = 50


class ReportError(ApplicationError):
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


@transaction.atomic
def report_targets_save(
    *,
    by: User | None,
    returns_percent: Decimal | None,
    inadequate_below_percent: Decimal | None,
    audits_per_team_month: int | None,
    moderator_effect_low_percent: Decimal | None,
    moderator_effect_high_percent: Decimal | None,
    actions_on_time_percent: Decimal | None,
) -> ReportTargets:
    """Save the QA team's targets (one row, history kept; `by` None: from the command line). Saving moves the
    data version on (the report cache's signal, reports/cache.py), so no cached report shows the old targets."""
    low, high = moderator_effect_low_percent, moderator_effect_high_percent
    if (low is None) != (high is None):
        raise ReportError(
            "Give both ends of the moderator effect band, or neither.",
            field="moderator_effect_high_percent" if high is None else "moderator_effect_low_percent",
        )
    if low is not None and high is not None and low > high:
        raise ReportError(
            "The upper end of the moderator effect band must not be below its lower end.",
            field="moderator_effect_high_percent",
        )
    targets, _ = ReportTargets.objects.update_or_create(
        pk=ReportTargets.SINGLETON_PK,
        defaults={
            "returns_percent": returns_percent,
            "inadequate_below_percent": inadequate_below_percent,
            "audits_per_team_month": audits_per_team_month,
            "moderator_effect_low_percent": low,
            "moderator_effect_high_percent": high,
            "actions_on_time_percent": actions_on_time_percent,
            "updated_by": by,
        },
    )
    return targets


def monthly_document_scope(scope: ReportScope | None) -> dict[str, str]:
    """A monthly report's scope as the document's `programme` and `service_area`: blank for the default scope
    (the monthly audit, every service area), else the programme's slug or `all`, and the service area's name."""
    scope = scope or ReportScope.monthly()
    return {
        "programme": "" if scope.is_monthly else scope.programme_key,
        "service_area": scope.service_area_name or "",
    }


def monthly_document_report_scope(document: ReportDocument) -> ReportScope:
    """The scope a monthly document reports on (the reverse of `monthly_document_scope`)."""
    return report_scope_from(
        programme=document.programme or None, service_area=document.service_area or None, default=MONTHLY_SLUG
    )


def report_document_next_revision(*, month: datetime.date, as_of: datetime.date, **period: object) -> int:
    """The next revision of the month's report in its scope (`programme`, `service_area`), or (with `month_to`)
    the period's."""
    same = {"month": month_start(month), "as_of": as_of, "month_to": None, **period}
    latest = ReportDocument.objects.filter(**same).aggregate(n=Max("revision"))["n"]
    return (latest or 0) + 1


def _stale_cutoff() -> datetime.datetime:
    return timezone.now() - STALE_AFTER


def _is_stale(document: ReportDocument) -> bool:
    return document.status == ReportDocument.Status.WAITING or document.heartbeat_at < _stale_cutoff()


def report_document_request(
    *,
    month: datetime.date,
    as_of: datetime.date,
    by: User | None,
    request_key: uuid.UUID | None = None,
    month_to: datetime.date | None = None,
    programme: str = "",
    service_area: str = "",
) -> tuple[ReportDocument, bool]:
    """Queue a PDF of the month's report in a scope; returns (document, created).

    `request_key` is the one-time key of the page the person clicked on: a second click of the same page
    finds the document the first one made. A PDF still unfinished for the same month, scope and date is
    returned instead of a new one; if it was lost (a broker outage, a worker killed), it is sent again.
    The revision is the next free number for the month, scope and date (`monthly_document_scope`: blank
    is the monthly audit). A period report (contracts.md section 3) gives `month_to`, and is numbered apart
    from the monthly report.
    """
    month = month_start(month)
    period = {"month_to": month_to, "programme": programme, "service_area": service_area}
    with transaction.atomic():
        if request_key is not None:
            asked = ReportDocument.objects.filter(request_key=request_key).first()
            if asked is not None:
                return asked, False
        pending = (
            ReportDocument.objects.select_for_update()
            .filter(month=month, as_of=as_of, status__in=UNFINISHED, **period)
            .order_by("-revision")
            .first()
        )
        if pending is not None:
            if _is_stale(pending):
                _requeue(pending)
            return pending, False
        revision = report_document_next_revision(month=month, as_of=as_of, **period)
        try:
            with transaction.atomic():
                document = ReportDocument.objects.create(
                    month=month,
                    as_of=as_of,
                    revision=revision,
                    requested_by=by,
                    is_draft=True,
                    request_key=request_key,
                    **period,
                )
        except IntegrityError:
            # Someone else took this revision (or this key) a moment ago: theirs is the PDF being made.
            taken = Q(month=month, as_of=as_of, revision=revision, **period)
            if request_key is not None:
                taken |= Q(request_key=request_key)
            return ReportDocument.objects.filter(taken).first(), False
        transaction.on_commit(lambda: report_document_dispatch(document_id=document.pk))
    return document, True


def _run_in_thread(document_id: int) -> None:
    try:
        task_named("reports.tasks.generate_report_document").apply(args=(document_id,))
    except Exception:
        logger.exception("The in-process PDF job for report document %s stopped.", document_id)
    finally:
        # The thread's own database connection, opened by the job; the web process's threads never reuse it.
        db.connections.close_all()


def report_document_dispatch(*, document_id: int) -> bool:
    """Hand the PDF job to the worker. False when the broker cannot be reached: the document waits
    (status WAITING) and the stale-document job sends it again once the broker answers.

    With no broker (`make run`), the job runs in this process on a background thread when
    REPORT_PDF_THREAD is on, so the page answers at once and shows the job's progress.
    """
    generate_report_document = task_named("reports.tasks.generate_report_document")
    if generate_report_document.app.conf.task_always_eager and settings.REPORT_PDF_THREAD:
        threading.Thread(target=_run_in_thread, args=(document_id,), name=f"report-pdf-{document_id}").start()
        return True
    try:
        generate_report_document.apply_async((document_id,))
    except BROKER_ERRORS as error:
        logger.warning("Report document %s could not be queued (%s); it waits for the broker.", document_id, error)
        ReportDocument.objects.filter(pk=document_id, status=ReportDocument.Status.QUEUED).update(
            status=ReportDocument.Status.WAITING
        )
        return False
    return True


def _requeue(document: ReportDocument) -> bool:
    """Send a lost document again (or give up on it after MAX_BUILD_ATTEMPTS starts). True if sent."""
    unchanged = ReportDocument.objects.filter(
        pk=document.pk, status=document.status, heartbeat_at=document.heartbeat_at
    )
    if document.attempts >= MAX_BUILD_ATTEMPTS:
        unchanged.update(
            status=ReportDocument.Status.FAILED,
            error=f"The PDF job stopped {document.attempts} times before finishing. Try again; "
            "if it stops again, tell support.",
            finished_at=timezone.now(),
        )
        return False
    if not unchanged.update(status=ReportDocument.Status.QUEUED, progress=0, heartbeat_at=timezone.now()):
        return False  # It came back to life, or another run of this job took it first.
    transaction.on_commit(lambda: report_document_dispatch(document_id=document.pk))
    return True


def report_documents_requeue_stale() -> int:
    """The stale-document job (beat, every minute): send again every document that waits for the broker,
    or that has been queued or generating with no sign of life for STALE_AFTER. Returns how many were sent."""
    stale = ReportDocument.objects.filter(
        Q(status=ReportDocument.Status.WAITING)
        | Q(status__in=(ReportDocument.Status.QUEUED, ReportDocument.Status.RUNNING), heartbeat_at__lt=_stale_cutoff())
    ).order_by("heartbeat_at")
    sent = 0
    with transaction.atomic():
        for document in stale[:STALE_BATCH]:
            sent += _requeue(document)
    return sent


def _set_progress(document_id: int, percent: int) -> None:
    # Outside any transaction, so the page polling for progress sees each step at once; each step is a heartbeat.
    ReportDocument.objects.filter(pk=document_id, status=ReportDocument.Status.RUNNING).update(
        progress=percent, heartbeat_at=timezone.now()
    )


def _claim(document_id: int) -> bool:
    """Take the document for this worker: one that is waiting or queued, or one whose worker went silent.

    A conditional UPDATE, so of two workers handed the same document (a redelivered message and a
    re-queued one) only one makes it.
    """
    claimable = Q(status__in=(ReportDocument.Status.WAITING, ReportDocument.Status.QUEUED)) | Q(
        status=ReportDocument.Status.RUNNING, heartbeat_at__lt=_stale_cutoff()
    )
    return bool(
        ReportDocument.objects.filter(claimable, pk=document_id).update(
            status=ReportDocument.Status.RUNNING,
            progress=5,
            error="",
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def _authors(month: datetime.date) -> list[str]:
    """Everyone who wrote part of the month's narrative, in the order they first did (from its history)."""
    narrative = ReportNarrative.objects.filter(month=month).first()
    if narrative is None:
        return []
    writers = User.objects.filter(pk__in=narrative.history.exclude(updated_by=None).values("updated_by")).order_by(
        "last_name", "first_name", "username"
    )
    return [str(writer) for writer in writers]


def report_document_build(*, document_id: int) -> ReportDocument:
    """Make the PDF for a queued document: the draft, or after publishing, the published edition.

    Running it again for a finished document, or while another worker is making it, does nothing.
    """
    if not _claim(document_id):
        return ReportDocument.objects.get(pk=document_id)
    try:
        document = _build(document_id)
    except BaseException:
        # Hand the document back, so the job's retry (or the stale-document job) can claim it again.
        ReportDocument.objects.filter(pk=document_id, status=ReportDocument.Status.RUNNING).update(
            status=ReportDocument.Status.QUEUED
        )
        raise
    return document


def _build(document_id: int) -> ReportDocument:
    # Imported here so that pages which never make a PDF do not load WeasyPrint.
    from reports.pdf import Cover, RenderedBody, render_report_body, report_pdf_from_body, report_scope_label

    document = ReportDocument.objects.select_related("requested_by", "published_by").get(pk=document_id)
    progress = lambda percent: _set_progress(document_id, percent)  # noqa: E731
    if document.body_html:
        body = RenderedBody(html=document.body_html, charts=document.charts_svg)
    elif document.is_period:
        from reports.period_pdf import render_period_body

        body = render_period_body(document=document, progress=progress)
    else:
        scope = monthly_document_report_scope(document)
        body = render_report_body(month=document.month, as_of=document.as_of, progress=progress, scope=scope)
    cover = Cover(
        month=document.month,
        as_of=document.as_of,
        revision=document.revision,
        draft=document.is_draft,
        authors=[] if document.is_period else _authors(document.month),
        requested_by=str(document.requested_by) if document.requested_by else "the monthly schedule",
        published_at=document.published_at,
        published_by=str(document.published_by) if document.published_by else "",
        scope_label="" if document.is_period else report_scope_label(monthly_document_report_scope(document)),
    )
    if document.is_period:
        from reports.period_pdf import period_pdf_from_body

        pdf = period_pdf_from_body(body=body, document=document, cover=cover, progress=progress)
    else:
        pdf = report_pdf_from_body(body=body, cover=cover, progress=progress)
    with transaction.atomic():
        document = ReportDocument.objects.select_for_update().get(pk=document_id)
        if document.status == ReportDocument.Status.READY:
            return document
        edition = "draft" if document.is_draft else "published"
        name = f"{document.file_stem()}-{edition}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.body_html, document.charts_svg = body.html, body.charts
        document.status = ReportDocument.Status.READY
        document.progress = 100
        document.heartbeat_at = document.finished_at = timezone.now()
        document.save(
            update_fields=["file", "body_html", "charts_svg", "status", "progress", "heartbeat_at", "finished_at"]
        )
        if document.requested_by_id is None and document.is_draft:
            enqueue("reports.tasks.notify_heads_of_quality", document_id)
    return document


def report_document_fail(*, document_id: int, error: BaseException) -> None:
    """Record that the PDF could not be made after its retries (the error's kind only: no personal data)."""
    ReportDocument.objects.filter(pk=document_id).exclude(status=ReportDocument.Status.READY).update(
        status=ReportDocument.Status.FAILED,
        error=f"The PDF could not be made ({type(error).__name__}). Try again; if it fails again, tell support.",
        finished_at=timezone.now(),
    )


@transaction.atomic
def report_document_publish(*, document: ReportDocument, by: User) -> ReportDocument:
    """Publish a finished draft: the job makes the published edition of the same pages (the cover says who
    published it and when, with no draft marking); who and when are kept."""
    now = timezone.now()
    updated = ReportDocument.objects.filter(
        pk=document.pk, status=ReportDocument.Status.READY, published_at__isnull=True
    ).update(
        is_draft=False,
        published_at=now,
        published_by=by,
        status=ReportDocument.Status.QUEUED,
        progress=0,
        heartbeat_at=now,
    )
    if not updated:
        raise ReportError("Only a finished PDF that has not been published yet can be published.")
    transaction.on_commit(lambda: report_document_dispatch(document_id=document.pk))
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
    default_scope = monthly_document_scope(None)
    if ReportDocument.objects.filter(month=month, as_of=as_of, month_to=None, **default_scope).exists():
        return None
    document, created = report_document_request(month=month, as_of=as_of, by=None, **default_scope)
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
