"""The report's services: narrative drafts, one PDF per request, publishing, failures and the monthly draft."""

import datetime
import uuid
from unittest import mock

import pytest
import time_machine
from django.core import mail

from reports import services
from reports.models import ReportDocument, ReportNarrative
from reports.pdf import RenderedBody
from reports.tests.factories import QualityFactory, ReportDocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)
OCTOBER_END = datetime.date(2026, 10, 31)
FAKE_PDF = b"%PDF-1.7 fake report"


@pytest.fixture
def fake_pdf():
    """The PDF itself is tested in test_pdf.py; here only its bookkeeping matters."""
    body = RenderedBody(html="<p>The report body</p>", charts={})
    with (
        mock.patch("reports.pdf.render_report_body", return_value=body),
        mock.patch("reports.pdf.report_pdf_from_body", return_value=FAKE_PDF) as patched,
    ):
        yield patched


def _narrative_fields(**overrides):
    fields = {
        "executive_summary": "Summary",
        "methodology": "Method",
        "improvement_responses": "Responses",
        "conclusions": "Conclusions",
    }
    fields.update(overrides)
    return fields


def test_saving_the_narrative_twice_keeps_one_row_per_month_with_history():
    author, editor = QualityFactory(), QualityFactory()
    services.narrative_save(month=datetime.date(2026, 10, 17), by=author, **_narrative_fields())
    narrative = services.narrative_save(month=OCTOBER, by=editor, **_narrative_fields(executive_summary="Better"))

    assert ReportNarrative.objects.count() == 1
    assert narrative.month == OCTOBER
    assert narrative.executive_summary == "Better"
    assert narrative.updated_by == editor
    assert narrative.history.count() == 2


def test_requesting_a_pdf_makes_it_once_and_a_second_click_returns_the_same_document(
    fake_pdf, django_capture_on_commit_callbacks
):
    quality = QualityFactory()
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first, created = services.report_document_request(month=OCTOBER, as_of=OCTOBER_END, by=quality, request_key=key)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, created_again = services.report_document_request(
            month=OCTOBER, as_of=OCTOBER_END, by=quality, request_key=key
        )

    assert created and not created_again
    assert again.pk == first.pk
    assert callbacks == []  # No second job.
    assert fake_pdf.call_count == 1
    first.refresh_from_db()
    assert first.status == ReportDocument.Status.READY
    assert first.progress == 100
    assert first.file.read() == FAKE_PDF
    assert first.file.name.endswith("qa-report-2026-10-as-of-2026-10-31-r1-draft.pdf")
    assert first.finished_at is not None


def test_a_request_while_a_pdf_is_still_being_made_returns_that_pdf():
    pending = ReportDocumentFactory(status=ReportDocument.Status.RUNNING, revision=1)
    document, created = services.report_document_request(
        month=OCTOBER, as_of=OCTOBER_END, by=QualityFactory(), request_key=uuid.uuid4()
    )
    assert not created
    assert document == pending
    assert ReportDocument.objects.count() == 1


def test_a_new_request_after_a_finished_one_makes_the_next_revision(django_capture_on_commit_callbacks):
    ReportDocumentFactory(status=ReportDocument.Status.READY, revision=1)
    ReportDocumentFactory(status=ReportDocument.Status.READY, revision=2, as_of=datetime.date(2026, 11, 5))
    assert services.report_document_next_revision(month=OCTOBER, as_of=OCTOBER_END) == 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document, created = services.report_document_request(month=OCTOBER, as_of=OCTOBER_END, by=None)
    assert created and document.revision == 2
    assert len(callbacks) == 1


def test_building_a_finished_document_again_changes_nothing(fake_pdf):
    document = ReportDocumentFactory(status=ReportDocument.Status.QUEUED)
    services.report_document_build(document_id=document.pk)
    first_file = ReportDocument.objects.get(pk=document.pk).file.name
    services.report_document_build(document_id=document.pk)
    assert fake_pdf.call_count == 1
    assert ReportDocument.objects.get(pk=document.pk).file.name == first_file


def test_the_job_retries_a_failing_pdf_then_marks_it_failed_without_personal_data():
    from reports.tasks import MAX_PDF_RETRIES, generate_report_document

    document = ReportDocumentFactory(status=ReportDocument.Status.QUEUED)
    with mock.patch("reports.pdf.render_report_body", side_effect=OSError("font for Jane Doe missing")) as failing:
        generate_report_document.delay(document.pk)

    document.refresh_from_db()
    assert failing.call_count == MAX_PDF_RETRIES + 1
    assert document.status == ReportDocument.Status.FAILED
    assert "OSError" in document.error
    assert "Jane" not in document.error
    assert not document.file


def test_the_job_succeeds_on_a_retry_after_a_passing_failure():
    from reports.tasks import generate_report_document

    document = ReportDocumentFactory(status=ReportDocument.Status.QUEUED)
    with (
        mock.patch("reports.pdf.render_report_body", return_value=RenderedBody(html="<p>Body</p>", charts={})),
        mock.patch("reports.pdf.report_pdf_from_body", side_effect=[OSError("disk busy"), FAKE_PDF]) as flaky,
    ):
        generate_report_document.delay(document.pk)
    document.refresh_from_db()
    assert flaky.call_count == 2
    assert document.status == ReportDocument.Status.READY


def test_publishing_records_who_and_when_and_only_once():
    document = ReportDocumentFactory(status=ReportDocument.Status.READY)
    head = QualityFactory()
    with time_machine.travel(datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC), tick=False):
        services.report_document_publish(document=document, by=head)
    assert document.published_by == head
    assert document.published_at == datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
    assert document.is_draft is False
    with pytest.raises(services.ReportError):
        services.report_document_publish(document=document, by=head)


def test_an_unfinished_pdf_cannot_be_published():
    document = ReportDocumentFactory(status=ReportDocument.Status.RUNNING)
    with pytest.raises(services.ReportError, match="finished"):
        services.report_document_publish(document=document, by=QualityFactory())
    document.refresh_from_db()
    assert document.published_at is None


@pytest.mark.parametrize(
    "today, expected",
    [
        (datetime.date(2026, 12, 1), datetime.date(2026, 12, 1)),  # A Tuesday.
        (datetime.date(2027, 1, 1), datetime.date(2027, 1, 4)),  # New Year's Day, then the weekend.
        (datetime.date(2026, 8, 1), datetime.date(2026, 8, 3)),  # A Saturday.
        (datetime.date(2027, 5, 1), datetime.date(2027, 5, 4)),  # Saturday, Sunday, then the May bank holiday.
    ],
)
def test_first_working_day_skips_weekends_and_bank_holidays(today, expected):
    assert services.first_working_day(today) == expected


def test_the_monthly_draft_waits_for_the_first_working_day_then_is_made_once_and_heads_are_told(
    fake_pdf, django_capture_on_commit_callbacks
):
    QualityFactory(email="head@example.org")
    QualityFactory(email="deputy@example.org")
    QualityFactory(email="gone@example.org", is_active=False)
    UserFactory(email="auditor@example.org")

    assert services.monthly_draft_ensure(today=datetime.date(2027, 1, 1)) is None  # Bank holiday.
    assert services.monthly_draft_ensure(today=datetime.date(2027, 1, 3)) is None  # Sunday.
    with django_capture_on_commit_callbacks(execute=True):
        document = services.monthly_draft_ensure(today=datetime.date(2027, 1, 4))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.monthly_draft_ensure(today=datetime.date(2027, 1, 5)) is None

    document.refresh_from_db()
    assert (document.month, document.as_of, document.revision) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 31),
        1,
    )
    assert document.requested_by is None and document.is_draft
    assert document.status == ReportDocument.Status.READY
    assert document.heads_notified_at is not None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["deputy@example.org", "head@example.org"]
    assert "December 2026" in mail.outbox[0].subject
    assert "/reports/2026/12/" in mail.outbox[0].body
    # Telling them again sends nothing.
    assert services.heads_of_quality_notify(document_id=document.pk) is False
    assert len(mail.outbox) == 1


def test_a_missed_first_working_day_is_caught_up_later_in_the_month(fake_pdf):
    document = services.monthly_draft_ensure(today=datetime.date(2026, 11, 21))
    assert document.month == datetime.date(2026, 10, 1)


def test_no_monthly_draft_when_the_qa_team_already_made_a_pdf_for_that_month():
    ReportDocumentFactory(month=OCTOBER, as_of=OCTOBER_END, status=ReportDocument.Status.READY)
    assert services.monthly_draft_ensure(today=datetime.date(2026, 11, 2)) is None
    assert ReportDocument.objects.count() == 1


def test_a_pdf_asked_for_by_a_person_does_not_email_the_heads(fake_pdf, django_capture_on_commit_callbacks):
    QualityFactory(email="head@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_document_request(month=OCTOBER, as_of=OCTOBER_END, by=QualityFactory())
    assert mail.outbox == []


def test_the_beat_schedule_runs_the_monthly_draft_job_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-monthly-draft"]
    assert entry["task"] == "reports.tasks.draft_monthly_report"
    from reports.tasks import draft_monthly_report

    assert draft_monthly_report.name == entry["task"]


def test_the_beat_task_uses_todays_date(fake_pdf):
    from reports.tasks import draft_monthly_report

    with time_machine.travel(datetime.datetime(2026, 12, 1, 7, 30, tzinfo=datetime.UTC), tick=False):
        document_id = draft_monthly_report.delay().get()
    assert ReportDocument.objects.get(pk=document_id).month == datetime.date(2026, 11, 1)
