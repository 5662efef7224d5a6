"""Celery tasks for the tracker import: each takes the run's id and calls the service.

The tasks keep the names they had in the audits app, so a message queued before issue 11's upgrade, and the
beat schedule, still find them.
"""

from celery import shared_task

from imports import services


@shared_task(name="audits.import_tasks.import_run_check")
def import_run_check(run_id: int) -> str:
    """Check a large upload as a dry run, with progress. Idempotent: a run already checked is left as it is.

    No automatic retry: a check that fails is recorded with its reason, and the QA team uploads again.
    """
    return services.import_run_check(run_id=run_id)


@shared_task(name="audits.import_tasks.import_run_execute")
def import_run_execute(run_id: int) -> str:
    """Import a confirmed run. Idempotent: a redelivered or repeated task finds the run finished and does nothing.

    No automatic retry: a failed run is recorded as failed with its reason, and the QA team uploads again.
    """
    return services.import_run_execute(run_id=run_id)


@shared_task(name="audits.import_tasks.discard_stale_import_previews")
def discard_stale_import_previews() -> int:
    """Daily: delete uploaded trackers nobody needs any more (abandoned previews, stuck or finished runs, files of
    uploads whose request died), and fail runs that stopped with their worker. Safe to run twice."""
    return services.import_runs_discard_stale()


@shared_task(name="imports.tasks.import_drop_folder")
def import_drop_folder() -> dict[str, int]:
    """Nightly: import each caseload or staff file waiting in IMPORT_DROP_DIR as --full, record it, move it aside and
    tell the QA team of a failure. Idempotent: a file already imported (same content) is not imported again."""
    from imports.drop import import_drop_folder as run

    return run()
