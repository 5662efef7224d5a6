"""The report PDF job through a real Celery worker and Redis (runs in CI's PostgreSQL/Redis pass)."""

import datetime
import os
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

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
        month=datetime.date(2026, 10, 1), as_of=datetime.date(2026, 10, 31), by=QualityFactory(), revision=1
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
