"""A real Celery worker against the configured Redis broker (runs in CI; skipped without a broker)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = pytest.mark.celery_worker


@pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL pointing at Redis (CI sets it)")
def test_a_real_worker_runs_a_task_sent_through_redis():
    from qa_portal.celery import app, ping

    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qa_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=root,
        env={**os.environ, "CELERY_BROKER_URL": BROKER},
    )
    try:
        app.conf.task_always_eager = False
        result = ping.apply_async()
        assert result.get(timeout=60) == "pong"
    finally:
        app.conf.task_always_eager = not BROKER
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        time.sleep(0.1)
