"""Fixtures shared by every app's tests: signed-in clients per role and a real browser."""

import datetime
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(__file__).resolve().parent / "test-artifacts"


# A browser test that fails is run once more (pytest-rerunfailures) before it counts as failed. A real
# browser on a two-core machine shared by two test processes sometimes misses a timing a person never would;
# a real fault fails both runs. Each retry is listed in the summary ("RERUN"), so a flaky test stays visible.
BROWSER_TEST_RERUNS = 1


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, tests that start a real Celery worker run one after another in one process
    (they share one Redis queue: two of them at once would take each other's tasks); browser tests get
    `BROWSER_TEST_RERUNS`."""
    for item in items:
        if item.get_closest_marker("celery_worker"):
            item.add_marker(pytest.mark.xdist_group("celery_worker"))
        if item.get_closest_marker("browser") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=BROWSER_TEST_RERUNS))


@pytest.fixture
def allocation_today(time_machine):
    """Freeze the clock at 10:00 on Saturday 21 Nov 2026 (London), the day the allocation tests plan from."""
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Files written by tests (uploads, PDFs) go to a temporary folder, never the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_axes_lockout_between_tests(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _default_practice_template(request):
    """Version 1 of the practice-area template and the default learning themes, as data migrations make them.

    A transactional test (every browser test) ends by flushing the database, and the migration's rows
    go with it, so a later test would find no current template. `serialized_rollback` would restore
    them but clashes with the content types the flush recreates; re-running the migration's own
    function is idempotent and keeps one definition of the default set.
    """
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("_django_db_helper")
    import importlib

    from django.apps import apps

    importlib.import_module("audits.migrations.0003_default_practice_areas").create_default(apps, None)
    # The default learning themes (data migration 0013), for the same reason.
    importlib.import_module("audits.migrations.0015_default_themes").create_default(apps, None)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test its own empty local-memory cache: no report cached by one test (or another xdist worker,
    through a shared Redis) is seen by the next."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness would dominate the suite's run time; tests need no such protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_tasks_in_process(request):
    """Run Celery tasks in the test's own process, even when CELERY_BROKER_URL points at Redis.

    Tests marked `celery_worker` opt out: they send tasks through the real broker to a real worker.
    """
    from qa_portal.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker_process():
    """Start a real Celery worker (solo pool) against CELERY_BROKER_URL: `celery_worker_process(**env)`.

    Extra keyword arguments are added to the worker's environment. While it runs, tasks go through the
    broker instead of running eagerly; afterwards the worker is stopped and eager mode restored. Tests
    using it carry the `celery_worker` marker and skip without a broker.
    """
    from qa_portal.celery import app

    workers = []

    def start(**env: str) -> subprocess.Popen:
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
            cwd=Path(__file__).resolve().parent,
            env={**os.environ, **env},
        )
        workers.append(worker)
        app.conf.task_always_eager = False
        return worker

    yield start
    app.conf.task_always_eager = not os.environ.get("CELERY_BROKER_URL", "")
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        time.sleep(0.1)


def _one_request_at_a_time_live_server_thread():
    """Django's live server thread, serving one request at a time when it shares the test's SQLite connection.

    On SQLite the test database lives in memory, and the live server's request threads all use the test's one
    connection. Two requests at once (a page and its lazy fragments, an autosave and a click) then share one
    transaction state and fail at random ("cannot start a transaction within a transaction"). Served one after
    another they cannot collide; Django's own test suite uses the same single-threaded server. On PostgreSQL
    each request thread has its own connection, so the threaded server stays.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

    class OneRequestAtATimeLiveServerThread(LiveServerThread):
        def _create_server(self, connections_override=None):
            if not connections_override:
                return super()._create_server(connections_override=connections_override)
            return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)

    return OneRequestAtATimeLiveServerThread


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server (same address options), with `_one_request_at_a_time_live_server_thread`."""
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.test.testcases.LiveServerThread", _one_request_at_a_time_live_server_thread())
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's Chromium driven by Playwright. In CI a missing browser is a failure, never a skip."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it with 'apt-get install chromium'.")
        pytest.skip(
            "Browser tests need Debian's Chromium: run 'sudo apt-get install chromium' "
            "(or set CHROMIUM_PATH); CI installs it and never skips these."
        )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def is_policy_violation(message_text: str) -> bool:
    """A console message in which Chromium reports blocking something under the Content-Security-Policy
    ("Refused to execute inline script because it violates the following Content Security Policy
    directive ...") or rejecting the Permissions-Policy header."""
    return "Content Security Policy" in message_text or "Permissions-Policy" in message_text


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser tab on the live server. The test fails if any page it visits breaks the
    Content-Security-Policy (an inline script or style the policy blocks is a feature that silently
    stops working for users), even when the test's own assertions pass."""
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    violations = []

    def record_violation(message) -> None:
        if is_policy_violation(message.text):
            violations.append(f"{pg.url}: {message.text}")

    pg.on("console", record_violation)
    yield pg
    context.close()
    assert not violations, "The browser reported policy violations:\n" + "\n".join(violations)


@pytest.fixture
def sign_in(page):
    """Sign in through the real login form: `sign_in("quality")` (demo password `demo` by default)."""

    def _sign_in(username: str, password: str = "demo"):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return _sign_in


def assert_accessible(page, name: str) -> None:
    """Run axe-core (WCAG 2.2 A/AA rules) on the current page, save a screenshot, and fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
    )
    violations = results.response["violations"]
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']} ({len(v['nodes'])}): {v['help']} e.g. {v['nodes'][0]['target']}" for v in violations
    )


@pytest.fixture
def axe():
    return assert_accessible
