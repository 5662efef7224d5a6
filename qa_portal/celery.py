"""The Celery app, the one task base and the one way to enqueue (docs/architecture.md, "Tasks").

Services never import tasks modules (that made module import cycles: the tasks import the services
they call). They enqueue by the task's registered name, `enqueue("audits.tasks.notify_send_back",
send_back.pk)`, which sends the task once the current transaction commits, so a worker never reads
a row that is not there yet and no call site writes `on_commit` by hand.

A broker that is down must neither hang the page nor turn a saved change into an error: the
broker and result-store limits in settings make a send fail within about a second, `enqueue`
logs it and the caller's `*_at` "sent" guard stays empty, so the periodic job that scans for
unsent work (or the person's next click) sends it later.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from smtplib import SMTPException

from celery import Celery, Task
from django.db import transaction
from kombu.exceptions import KombuError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_portal.settings")

logger = logging.getLogger(__name__)

# The shared retry policy of tasks that send mail: smtplib's errors are OSErrors (listing both says
# what is meant); retries back off from 30 s to an hour.
MAIL_RETRY = {
    "autoretry_for": (OSError, SMTPException),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 10,
}

# What sending to a broker (or subscribing to a result store) that cannot be reached raises: kombu's
# OperationalError, a socket error, or, from the Redis result store after its retries, a RuntimeError.
BROKER_ERRORS = (KombuError, OSError, RuntimeError)


class TransactionAwareTask(Task):
    """pretix's pattern: `apply_async` inside a transaction waits for the commit, then sends.

    Every task of the project has this base (the app's `task_cls`). Outside a transaction (a
    worker, a beat job, the shell) it sends at once.
    """

    def apply_transaction_aware(self, args=(), kwargs=None, *, on_failure: Callable[[], None] | None = None):
        """Send after the current transaction commits; a broker error is logged and `on_failure` called."""

        def send() -> None:
            # When tasks run in process (CELERY_TASK_ALWAYS_EAGER: development and tests), sending runs the task,
            # so its own failure (a mail server down after the retries) lands here too: logged, like a broker's.
            failures = Exception if self.app.conf.task_always_eager else BROKER_ERRORS
            try:
                self.apply_async(args=args, kwargs=kwargs)
            except failures as error:
                # Ids only in the log: no personal data.
                logger.warning("Task %s%r could not be queued (%s); it stays due.", self.name, tuple(args), error)
                if on_failure is not None:
                    on_failure()

        transaction.on_commit(send)


app = Celery("qa_portal", task_cls=TransactionAwareTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Tasks that kept the names they had before issue 11 moved them out of the audits app (a message queued before
# the upgrade still finds its task), and the module that holds each now.
MOVED_TASK_MODULES = {
    "audits.tasks.notify_allocation": "allocation.tasks",
    "audits.tasks.send_return_reminder": "allocation.tasks",
    "audits.import_tasks.import_run_check": "imports.tasks",
    "audits.import_tasks.import_run_execute": "imports.tasks",
    "audits.import_tasks.discard_stale_import_previews": "imports.tasks",
}


def task_named(name: str) -> TransactionAwareTask:
    """The registered task called `name`, importing its module on first use.

    A worker imports every tasks module when it starts; a web process imports only the one it needs, when it
    first sends one of its tasks (importing them all, the PDF library included, takes over a second).
    """
    if name not in app.tasks:
        importlib.import_module(MOVED_TASK_MODULES.get(name, name.rpartition(".")[0]))
    return app.tasks[name]


def enqueue(name: str, *args, on_failure: Callable[[], None] | None = None) -> None:
    """Send the task called `name` with these arguments (ids) once the current transaction commits.

    When the broker cannot be reached the send fails fast and is logged; `on_failure` (run after the
    commit) lets the caller undo whatever said "queued", so the work is picked up again later.
    """
    task_named(name).apply_transaction_aware(args, on_failure=on_failure)


@app.task(name="qa_portal.ping")
def ping() -> str:
    """Round trip used by the real-worker test and health checks."""
    return "pong"
