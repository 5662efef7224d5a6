"""A database outage answers 503 with the friendly page (no stack trace, nothing personal in the log),
and a kept connection the database dropped is replaced before a request uses it."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from people.tests.factories import AuditorFactory

OUTAGE = "could not connect to server: Connection refused"


def _failing_queries(touching: str):
    """Make every query whose SQL mentions `touching` fail as if the database had gone away."""
    real = CursorWrapper._execute_with_wrappers

    def execute(self, sql, *args, **kwargs):
        if touching in sql:
            raise OperationalError(OUTAGE)
        return real(self, sql, *args, **kwargs)

    return mock.patch.object(CursorWrapper, "_execute_with_wrappers", execute)


def _assert_friendly_503(response) -> None:
    assert response.status_code == 503
    content = response.content.decode()
    assert "QA Portal is unavailable for a moment" in content
    assert "Traceback" not in content and OUTAGE not in content
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_view_whose_query_fails_answers_503_and_logs_one_line_without_personal_data(caplog):
    client = Client(raise_request_exception=False)
    client.force_login(AuditorFactory())
    with _failing_queries("audits_audit"), caplog.at_level(logging.INFO):
        response = client.get(reverse("audits:my_audits") + "?child=C123456+Smith")
    _assert_friendly_503(response)
    [record] = [r for r in caplog.records if r.name == "qa_portal.database"]
    assert record.getMessage() == (
        "Database unavailable (django.db.utils.OperationalError) during GET " + reverse("audits:my_audits")
    )
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "Smith" not in logged and "C123456" not in logged


@pytest.mark.django_db
def test_a_failure_loading_the_session_before_any_view_answers_503_too(caplog):
    client = Client(raise_request_exception=False)
    client.force_login(AuditorFactory())
    with _failing_queries("django_session"), caplog.at_level(logging.INFO):
        response = client.get(reverse("home"))
    _assert_friendly_503(response)
    assert any(r.name == "qa_portal.database" for r in caplog.records)
    # Django's own request log keeps its one line but not the traceback.
    assert all(r.exc_info is None for r in caplog.records if r.name == "django.request")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn():
    """Start the app in gunicorn (one sync worker, as in production) with extra environment; yield its URL."""
    processes = []

    def start(**environment: str) -> str:
        port = _free_port()
        env = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", **environment}
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "qa_portal.wsgi:application", "--workers", "1"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        return f"http://127.0.0.1:{port}"

    start.processes = processes
    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def _get(url: str, session: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="Needs a database server to stop or cut off (set DATABASE_URL to a PostgreSQL database); "
    "on SQLite there is no connection to lose, and the patched-query tests above cover the 503.",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_database_server_on_a_closed_port_answers_503():
    client = Client(raise_request_exception=False)
    client.force_login(AuditorFactory())
    connection.close()
    with mock.patch.dict(connection.settings_dict, {"PORT": str(_free_port())}):
        response = client.get(reverse("home"))
        connection.close()
    _assert_friendly_503(response)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_the_database_dropped_a_kept_connection_succeeds(gunicorn):
    client = Client()
    client.force_login(AuditorFactory())
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    database = connection.settings_dict
    url = gunicorn(
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        DATABASE_CONN_MAX_AGE="60",
    )
    assert _get(url + "/", session)[0] == 200
    with connection.cursor() as cursor:
        # Every other connection to the test database goes, the server's kept one among them (an earlier
        # test in this process may have left one of its own).
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database["NAME"]],
        )
        terminated = cursor.fetchall()
        assert terminated and all(row == (True,) for row in terminated)
    status, body = _get(url + "/", session)
    assert status == 200, body[:300]


def test_the_access_log_keeps_query_strings_out(gunicorn):
    """gunicorn.conf.py logs paths only: a sign-in callback's code or a searched child reference stays out."""
    url = gunicorn()
    status, _ = _get(url + "/accounts/login/?code=SECRET-SIGN-IN-CODE&q=C123456", session="none")
    assert status == 200
    process = gunicorn.processes[-1]
    process.terminate()
    log = process.communicate(timeout=20)[0]
    assert '"GET /accounts/login/ HTTP/1.1" 200' in log
    assert "SECRET-SIGN-IN-CODE" not in log and "C123456" not in log
