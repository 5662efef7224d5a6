"""The daily beat job: nil returns after the month ends, and due-date reminders, each once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from audits.completion import AuditNotEditable, audit_save_draft, audit_send_reminders, audits_mark_nil_returns
from audits.models import Audit, Policy
from audits.tasks import daily_audit_housekeeping
from audits.tests.completion_helpers import complete_input
from audits.tests.factories import AuditFactory

LONDON = ZoneInfo("Europe/London")
NOVEMBER = datetime.date(2026, 11, 1)


def at(day: datetime.date, hour: int = 6):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the reminder scan for a day and send what it queued, as the job's commit would."""

    def _remind(today: datetime.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return audit_send_reminders(today=today)

    return _remind


def statuses(*audits):
    return [Audit.objects.get(pk=audit.pk).status for audit in audits]


# --- Nil returns ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_drafts_become_nil_returns_on_the_configured_day_after_the_month_ends():
    draft = AuditFactory(month=NOVEMBER, due_on=datetime.date(2026, 11, 25))
    # Default policy: 10 days after the month ends, so November's on 10 December, not before.
    assert audits_mark_nil_returns(today=datetime.date(2026, 12, 9)) == 0
    assert statuses(draft) == [Audit.Status.DRAFT]
    assert audits_mark_nil_returns(today=datetime.date(2026, 12, 10)) == 1
    assert statuses(draft) == [Audit.Status.NIL_RETURN]


@pytest.mark.django_db
def test_nil_returns_follow_the_policy_and_leave_other_statuses_alone():
    policy = Policy.current()
    policy.nil_return_days_after_month = 1
    policy.save()
    draft = AuditFactory(month=NOVEMBER)
    submitted = AuditFactory(month=NOVEMBER, returned=True)
    sent_back = AuditFactory(month=NOVEMBER, status=Audit.Status.SENT_BACK, submitted_on=datetime.date(2026, 11, 20))
    exempted = AuditFactory(month=NOVEMBER, status=Audit.Status.EXEMPTED)
    december = AuditFactory(month=datetime.date(2026, 12, 1))
    assert audits_mark_nil_returns(today=datetime.date(2026, 11, 30)) == 0
    assert audits_mark_nil_returns(today=datetime.date(2026, 12, 1)) == 1
    assert statuses(draft, submitted, sent_back, exempted, december) == [
        Audit.Status.NIL_RETURN,
        Audit.Status.SUBMITTED,
        Audit.Status.SENT_BACK,
        Audit.Status.EXEMPTED,
        Audit.Status.DRAFT,
    ]


@pytest.mark.django_db
def test_marking_nil_returns_twice_changes_nothing_the_second_time():
    draft = AuditFactory(month=datetime.date(2026, 9, 1))
    assert audits_mark_nil_returns(today=datetime.date(2026, 11, 21)) == 1
    assert audits_mark_nil_returns(today=datetime.date(2026, 11, 21)) == 0
    record = draft.history.latest()
    assert record.history_change_reason == "Nil return"
    assert draft.history.filter(history_change_reason="Nil return").count() == 1


@pytest.mark.django_db
def test_a_nil_return_can_no_longer_be_saved():
    draft = AuditFactory(month=datetime.date(2026, 9, 1))
    audits_mark_nil_returns(today=datetime.date(2026, 11, 21))
    with pytest.raises(AuditNotEditable, match="nil return"):
        audit_save_draft(audit=draft, by=draft.auditor, data=complete_input(draft), expected_version=1)


# --- Reminders ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminder_goes_a_few_days_before_the_due_date_and_once_only(remind):
    audit = AuditFactory(month=NOVEMBER, due_on=datetime.date(2026, 11, 25))
    assert remind(datetime.date(2026, 11, 21)) == 0  # four days before: not yet
    assert remind(datetime.date(2026, 11, 22)) == 1  # three days before
    assert remind(datetime.date(2026, 11, 22)) == 0
    assert remind(datetime.date(2026, 11, 23)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [audit.auditor.email]
    assert message.subject == f"Audit due on 25 Nov 2026: {audit.child.case_ref}"
    assert f"/audits/{audit.pk}/edit/" in message.body
    audit.refresh_from_db()
    assert audit.reminded_before_due_at is not None
    assert audit.reminded_on_due_at is None


@pytest.mark.django_db
def test_reminder_on_the_due_day_once_only(remind):
    audit = AuditFactory(month=NOVEMBER, due_on=datetime.date(2026, 11, 25))
    for day in (22, 25, 25, 26):
        remind(datetime.date(2026, 11, day))
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Audit due on 25 Nov 2026", "Audit due today"]
    audit.refresh_from_db()
    assert audit.reminded_on_due_at is not None


@pytest.mark.django_db
def test_no_reminders_for_submitted_or_closed_audits(remind):
    due = datetime.date(2026, 11, 25)
    AuditFactory(month=NOVEMBER, due_on=due, returned=True)
    AuditFactory(month=NOVEMBER, due_on=due, status=Audit.Status.EXEMPTED)
    AuditFactory(month=NOVEMBER, due_on=due, status=Audit.Status.NIL_RETURN)
    assert remind(due) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_sent_back_audit_is_reminded_too(remind):
    audit = AuditFactory(month=NOVEMBER, due_on=datetime.date(2026, 11, 25), status=Audit.Status.SENT_BACK)
    remind(datetime.date(2026, 11, 25))
    assert "sent this audit back" in mail.outbox[0].body
    assert audit.auditor.email in mail.outbox[0].to


@pytest.mark.django_db
def test_an_auditor_without_an_email_address_is_skipped_without_retrying_every_day(remind):
    audit = AuditFactory(month=NOVEMBER, due_on=datetime.date(2026, 11, 25), auditor__email="")
    assert remind(datetime.date(2026, 11, 25)) == 1
    assert remind(datetime.date(2026, 11, 25)) == 0
    assert mail.outbox == []
    audit.refresh_from_db()
    assert audit.reminded_on_due_at is not None


# --- The beat job ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_closes_nil_returns_and_reminds_and_is_idempotent():
    overdue_month = AuditFactory(month=datetime.date(2026, 10, 1), due_on=datetime.date(2026, 10, 25))
    due_soon = AuditFactory(month=NOVEMBER, due_on=datetime.date(2026, 11, 13))
    with at(datetime.date(2026, 11, 10)):
        first = daily_audit_housekeeping.delay().get()
        second = daily_audit_housekeeping.delay().get()
    assert first == {"nil_returns": 1, "reminders_queued": 1}
    assert second == {"nil_returns": 0, "reminders_queued": 0}
    assert statuses(overdue_month, due_soon) == [Audit.Status.NIL_RETURN, Audit.Status.DRAFT]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [due_soon.auditor.email]
