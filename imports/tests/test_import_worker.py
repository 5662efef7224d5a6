"""A large tracker upload checked by a real Celery worker through Redis (runs in CI's PostgreSQL/Redis pass)."""

import os
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from imports import examples, services
from imports.models import ImportRun
from people.tests.factories import QualityFactory

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
def test_a_large_upload_is_checked_by_the_worker_while_the_request_returns_at_once(settings, celery_worker_process):
    rows, _ = examples.example_tracker(4_000, seed=6, teams=4)
    data = examples.tracker_csv(rows).encode()
    assert len(data) > services.CHECK_IN_REQUEST_BYTES
    celery_worker_process(
        CELERY_BROKER_URL=BROKER, DATABASE_URL=_test_database_url(), DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT)
    )

    run = services.import_run_preview(by=QualityFactory(), audits_upload=SimpleUploadedFile("AUDITS.csv", data))

    assert run.status == ImportRun.Status.CHECKING
    deadline = time.monotonic() + 120
    while run.status == ImportRun.Status.CHECKING and time.monotonic() < deadline:
        time.sleep(0.5)
        run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED, run.problems[:3]
    assert run.problems == []
    assert run.rows_total == 4_000
    assert run.counts["audits"]["created"] == 4_000
