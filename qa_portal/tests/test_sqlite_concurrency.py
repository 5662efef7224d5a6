"""On SQLite (what `make run` uses), two identical form posts at the same moment both succeed: the
second waits for the first instead of failing with "database is locked" (a 500)."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction

ALIAS = "sqlite_file_concurrency"

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="The SQLite locking options apply only when DATABASE_URL is SQLite (the `make run` default).",
)


@pytest.fixture
def sqlite_file(tmp_path, django_db_blocker):
    """A file SQLite database with the app's own connection options (a test database is in memory)."""
    connections.settings[ALIAS] = {
        **connections.settings["default"],
        "NAME": str(tmp_path / "concurrency.sqlite3"),
        "OPTIONS": dict(settings.DATABASES["default"]["OPTIONS"]),
        "TEST": {"NAME": str(tmp_path / "concurrency.sqlite3")},
    }
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE saved (id INTEGER PRIMARY KEY, text TEXT)")
        connections[ALIAS].close()
        yield
    del connections.settings[ALIAS]


def _post_like_a_view(start: threading.Barrier, failures: list[str]) -> None:
    """What a form view does: in one transaction, read (validate), then write."""
    start.wait(timeout=10)
    try:
        with transaction.atomic(using=ALIAS):
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM saved")
                time.sleep(0.3)  # Both requests are now inside their transactions at the same time.
                cursor.execute("INSERT INTO saved (text) VALUES ('draft')")
    except Exception as error:  # noqa: BLE001 - the failure is the finding: record it for the assertion.
        failures.append(f"{type(error).__name__}: {error}")
    finally:
        connections[ALIAS].close()


def test_two_simultaneous_writes_both_succeed_the_second_waiting(sqlite_file, django_db_blocker):
    start = threading.Barrier(2)
    failures: list[str] = []
    threads = [threading.Thread(target=_post_like_a_view, args=(start, failures)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM saved")
            assert cursor.fetchone() == (2,)
        connections[ALIAS].close()
