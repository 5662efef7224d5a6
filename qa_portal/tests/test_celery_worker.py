"""A real Celery worker against the configured Redis broker (runs in CI; skipped without a broker)."""

import os

import pytest

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = pytest.mark.celery_worker


@pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL pointing at Redis (CI sets it)")
def test_a_real_worker_runs_a_task_sent_through_redis(celery_worker_process):
    from qa_portal.celery import ping

    celery_worker_process(CELERY_BROKER_URL=BROKER)
    result = ping.apply_async()
    assert result.get(timeout=60) == "pong"
