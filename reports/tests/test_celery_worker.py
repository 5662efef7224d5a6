"""The report PDF job through a real Celery worker and Redis (runs in CI's PostgreSQL/Redis pass)."""

import datetime
import os
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone

from reports.models import ReportDocument
from reports.tests.factories import QualityFactory
from reports.tests.tracker import load_rows, tracker_row

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _test_database_url() -> str:
    """DATABASE_URL pointed at pytest's test database, so the worker reads the rows this test committed."""
    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL pointing at Redis (CI sets it)")
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the worker is another process and needs a shared database (CI's PostgreSQL run)",
)
def test_a_real_worker_makes_the_report_pdf_requested_from_the_page(
    settings, tmp_path, django_capture_on_commit_callbacks, celery_worker_process
):
    from reports import services

    load_rows([tracker_row("2026-10", auditor_grade="GOOD"), tracker_row("2026-10", "nil_return")])
    celery_worker_process(
        CELERY_BROKER_URL=BROKER,
        DATABASE_URL=_test_database_url(),
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    document, created = services.report_document_request(
        month=datetime.date(2026, 10, 1), as_of=datetime.date(2026, 10, 31), by=QualityFactory()
    )
    assert created
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in (ReportDocument.Status.READY, ReportDocument.Status.FAILED):
            break
        time.sleep(0.5)
    assert document.status == ReportDocument.Status.READY, document.error
    assert (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes().startswith(b"%PDF")


@pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL pointing at Redis (CI sets it)")
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the worker is another process and needs a shared database (CI's PostgreSQL run)",
)
def test_a_worker_killed_mid_pdf_is_replaced_and_the_stale_document_job_makes_exactly_one_pdf(
    settings, celery_worker_process
):
    import psycopg2
    import redis

    from qa_portal.celery import app
    from reports import services

    # Nothing left over from an earlier run may reach this test's workers.
    app.control.purge()
    redis.Redis.from_url(BROKER).delete("unacked", "unacked_index")
    load_rows([tracker_row("2026-10", auditor_grade="GOOD")])
    worker_env = {
        "CELERY_BROKER_URL": BROKER,
        "DATABASE_URL": _test_database_url(),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    first_worker = celery_worker_process(**worker_env)

    # Hold the narrative table locked, so the worker stops mid-PDF (it reads the narrative after the figures).
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    blocker.cursor().execute("LOCK TABLE reports_reportnarrative IN ACCESS EXCLUSIVE MODE")
    try:
        document, _ = services.report_document_request(
            month=datetime.date(2026, 10, 1), as_of=datetime.date(2026, 10, 31), by=QualityFactory()
        )
        _wait_for(lambda: _waiting_on_a_lock(blocker), "the worker to reach the narrative")
        os.kill(first_worker.pid, signal.SIGKILL)
        first_worker.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()

    document.refresh_from_db()
    assert document.status == ReportDocument.Status.RUNNING and document.attempts == 1
    assert not document.file

    # Minutes pass with no sign of life; the stale-document job (beat) sends it again. The new worker's short
    # visibility timeout also brings back the killed worker's unacknowledged message: two deliveries, one PDF.
    ReportDocument.objects.filter(pk=document.pk).update(
        heartbeat_at=timezone.now() - services.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    assert services.report_documents_requeue_stale() == 1
    # The killed worker's message must be older than the new worker's visibility timeout when that worker
    # starts: Redis hands unacknowledged messages back at start-up (the solo pool has no event loop to do it
    # later). In life minutes have passed; on a fast machine the kill and the requeue take under two seconds.
    time.sleep(2.5)
    celery_worker_process(**worker_env, CELERY_VISIBILITY_TIMEOUT="2")
    _wait_for(
        lambda: ReportDocument.objects.get(pk=document.pk).status == ReportDocument.Status.READY, "the second worker"
    )
    _wait_for(lambda: not redis.Redis.from_url(BROKER).hlen("unacked"), "the redelivered message", timeout=30)
    time.sleep(2)  # Time for the redelivered message, if it were to make a second PDF, to finish it.

    document.refresh_from_db()
    assert document.status == ReportDocument.Status.READY and document.attempts == 2
    made = list((Path(settings.MEDIA_ROOT) / "reports").iterdir())
    assert [path.name for path in made] == ["qa-report-2026-10-as-of-2026-10-31-r1-draft.pdf"]
    assert made[0].read_bytes().startswith(b"%PDF")


def _waiting_on_a_lock(blocker) -> bool:
    with blocker.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'reports_reportnarrative'::regclass"
        )
        return cursor.fetchone()[0] > 0


def _wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"Timed out waiting for {what}.")
