"""What every benchmark in bench/ shares: Django set up from a script, a throwaway database, timing.

Each script still runs on its own (`.venv/bin/python bench/<script>.py`): Python puts the script's
folder first on the path, so `from _common import ...` finds this module. Call `setup_django()`
before importing anything from Django or the project.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, queue_celery: bool = True, mail_in_memory: bool = True) -> None:
    """Configure the environment and call `django.setup()`.

    queue_celery: queue Celery tasks in memory, unsent, as a real broker would hold them, instead of
    running them eagerly inside the work being timed. mail_in_memory: send e-mail nowhere.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_portal.settings")
    if queue_celery:
        os.environ["CELERY_BROKER_URL"] = "memory://"
        os.environ["CELERY_RESULT_BACKEND"] = "cache+memory://"
    if mail_in_memory:
        os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("LOG_LEVEL", "ERROR")

    import django

    django.setup()


@contextmanager
def throwaway_database(name: str) -> Iterator[Path]:
    """A fresh, migrated database for one run, dropped afterwards; yields a temporary folder.

    On SQLite the database is a file `<name>.sqlite3` in that folder; with DATABASE_URL set it is a
    fresh test database on that server (named BENCH_DATABASE_NAME when set, else test_<name of DATABASE_URL's>).
    """
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db.setdefault("TEST", {})["NAME"] = str(Path(tmp) / f"{name}.sqlite3")
        elif os.environ.get("BENCH_DATABASE_NAME"):  # a server where only given database names may be used
            db.setdefault("TEST", {})["NAME"] = os.environ["BENCH_DATABASE_NAME"]
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield Path(tmp)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def timed(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """Wall seconds and query count of one call, and its result."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return seconds, len(queries), result


def bench_audit(child: Any, month: datetime.date, **fields: Any) -> Any:
    """An unsaved audit of `child` for `month`, in the child's team, due on the 25th (for bulk_create).

    Its final grade is set by the product's rule (the auditor's grade once returned; no moderation yet).
    """
    from audits.grading import audit_final_grade_assign
    from audits.models import Audit

    audit = Audit(
        month=month,
        child=child,
        team=child.team,
        service_area_id=child.team.service_area_id,
        legal_status=child.legal_status,
        due_on=month.replace(day=25),
        **({"programme_id": fields["template"].programme_id} if "template" in fields else {}),
        **fields,
    )
    audit_final_grade_assign(audit, moderated_grade="")
    return audit
