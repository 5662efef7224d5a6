"""Celery task for the tracker import: it takes the run's id and calls the service.

Registered with the worker through `audits.tasks`, which imports this module (Celery autodiscovers
only `tasks` modules).
"""

from celery import shared_task

from audits import importer


@shared_task(name="audits.import_tasks.import_run_execute")
def import_run_execute(run_id: int) -> str:
    """Import a confirmed run. Idempotent: a redelivered or repeated task finds the run finished and does nothing.

    No automatic retry: a failed run is recorded as failed with its reason, and the QA team uploads again.
    """
    return importer.import_run_execute(run_id=run_id)


@shared_task(name="audits.import_tasks.discard_stale_import_previews")
def discard_stale_import_previews() -> int:
    """Daily: delete the uploaded files of previews that were never confirmed. Safe to run twice."""
    return importer.import_runs_discard_stale()
