"""Enqueueing by name after commit (qa_portal.celery.enqueue), and a broker that is down.

"Down" is a real Redis address on a port where nothing listens: the same connection-refused path as a Redis
that has stopped, without stopping anybody's Redis.
"""

import logging
import re
import socket
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from allocation.models import ReturnReminder
from audits.tests.factories import AuditFactory
from moderation.models import Moderation
from moderation.services import moderation_record
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, QualityFactory
from qa_portal.celery import MOVED_TASK_MODULES, app, enqueue, task_named
from qa_portal.tests.project_packages import PROJECT_PACKAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """Point the Celery app at a Redis port nobody listens on, with tasks really sent (not run in process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/11"
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    # The app caches its connection pool and result store; fresh ones use the address above.
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)
    yield url
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


def test_a_task_is_found_by_its_registered_name_even_when_it_kept_its_old_name():
    assert task_named("audits.tasks.notify_allocation").__module__ == "allocation.tasks"
    assert task_named("audits.import_tasks.import_run_check").__module__ == "imports.tasks"


def test_every_task_the_beat_schedule_and_the_moved_names_mention_is_found():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} | set(MOVED_TASK_MODULES)
    for name in names:
        assert task_named(name).name == name


def test_every_name_the_project_enqueues_is_a_task():
    """Each `enqueue("...")` and `task_named("...")` in the project names a registered task (a typo fails here)."""
    root = Path(settings.BASE_DIR)
    called = re.compile(r"(?:enqueue|task_named)\(\s*\"([\w.]+)\"")
    names = {
        match
        for package in PROJECT_PACKAGES
        for path in (root / package).rglob("*.py")
        if "tests" not in path.parts
        for match in called.findall(path.read_text())
    }
    assert len(names) > 10
    for name in names:
        assert task_named(name).name == name


def test_enqueue_sends_only_after_the_commit(django_capture_on_commit_callbacks, mailoutbox):
    audit = AuditFactory(auditor__email="ann@example.org")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue("audits.tasks.send_audit_reminder", audit.pk, "on_due")
    assert mailoutbox == []  # nothing sent while the transaction is open

    for callback in callbacks:
        callback()
    assert [message.to for message in mailoutbox] == [["ann@example.org"]]


def test_with_the_broker_down_enqueue_fails_fast_and_tells_the_caller(broker_down, django_capture_on_commit_callbacks):
    failed = []
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("qa_portal.ping", on_failure=lambda: failed.append(True))
    assert time.monotonic() - started < 5
    assert failed == [True]


# A real commit: the service reads what enqueue reported after its own transaction committed.
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_return_reminder_is_a_message_not_a_500_and_is_not_recorded_as_sent(broker_down, client):
    auditor = AuditorFactory(email="bob@example.org")
    audit = AuditFactory(auditor=auditor)
    client.force_login(QualityFactory())
    month = audit.month.strftime("%Y-%m")

    started = time.monotonic()
    response = client.post(reverse("allocation:returns_remind", args=[auditor.pk]), {"month": month}, follow=True)

    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert "could not be sent: the e-mail queue is not answering" in response.content.decode()
    # No reminder on record, so the next click (once the queue answers) sends it rather than "already reminded".
    assert not ReturnReminder.objects.exists()
    assert mail.outbox == []


def test_with_the_broker_down_a_moderation_is_recorded_and_its_unsent_email_is_logged_not_marked_sent(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    moderation = ModerationFactory(audit__auditor_grade="good")

    started = time.monotonic()
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        moderation_record(
            moderation=moderation,
            moderator=moderation.moderator,
            grade="good",
            rationale="",
            feedback="Clear evidence throughout.",
            expected_version=moderation.version,
        )

    assert time.monotonic() - started < 5
    moderation.refresh_from_db()
    assert moderation.status == Moderation.Status.COMPLETED
    assert moderation.auditor_notified_at is None
    assert any(
        record.levelno == logging.ERROR and f"Moderation {moderation.pk}" in record.getMessage()
        for record in caplog.records
    )
