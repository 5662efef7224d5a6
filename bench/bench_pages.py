"""Benchmark: the pages under load, as a browser would see them (issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa CACHE_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/bench_pages.py [--clients 20] [--seconds 30] [--months 12 | --full] [--no-cache]

Builds, in a throwaway PostgreSQL database, the demo authority (its four sign-ins: quality, auditor, moderator,
manager) plus a generated one of 40 teams (bench_report.py's generator) with `--months` of history (default 12,
which builds in well under a minute; `--full` makes it 120, ten years). It then starts gunicorn (4 workers) with
production settings (DJANGO_DEBUG false, a generated secret key, ALLOWED_HOSTS 127.0.0.1, SMTP e-mail, plain HTTP
allowed locally by DJANGO_SECURE_SSL_REDIRECT=false), signs in N clients (threads, one requests.Session each,
spread over the four roles) and measures, in one run:

- one client alone: median time and size of every page, the report page cold (first view after the data
  changed) and warm;
- the bare page (password change) under N clients for `--seconds`;
- the page mix under N clients: every list page of each role, and the monthly and 12-month period reports
  (the QA team's), each client cycling through its role's pages;

printing requests per second, p50 and p95 for each load (and for each page of the mix) and the mix's throughput
as a share of the bare page's.
`--no-cache` runs with CACHE_URL=dummycache:// (nothing cached): the figures before the report cache.

Targets (issue 15): the mix at half or more of the bare page's throughput; one client: the report page under
100 ms and every list page under 40 ms; the 12-month period report under 1 s cold and 100 ms warm. Exit status 1
when the mix is under half the bare page's throughput.

The cache must be shared by the workers (Redis: CACHE_URL, or a Redis CELERY_BROKER_URL); with local memory each
worker keeps its own copy. The bench clears that cache before it starts, since its data is new.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from _common import ROOT, setup_django, throwaway_database

ROLES = ("quality", "auditor", "moderator", "manager")
PASSWORD = "demo"  # noqa: S105 - the demo sign-ins' published password


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--months", type=int, default=12, help="months of generated history (default 12)")
    parser.add_argument("--full", action="store_true", help="ten years of generated history (--months 120)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8615)
    parser.add_argument("--no-cache", action="store_true", help="CACHE_URL=dummycache:// (nothing cached)")
    return parser.parse_args()


def role_pages(today: datetime.date) -> dict[str, list[tuple[str, str]]]:
    """Each role's pages: (name, path). Every list page of the role; the QA team's also the two reports."""
    from django.urls import reverse

    from common.periods import add_months, month_start

    last = add_months(month_start(today), -1)
    first = add_months(last, -11)
    report = reverse("reports:detail", kwargs={"year": last.year, "month": last.month})
    period = reverse("reports:period") + f"?from_month={first:%Y-%m}&to_month={last:%Y-%m}"
    common = [("home", reverse("home")), ("actions", reverse("actions:list"))]
    return {
        "quality": [
            *common,
            ("returns", reverse("allocation:returns")),
            ("programmes", reverse("audits:programme_list")),
            ("themes", reverse("audits:theme_list")),
            ("moderation", reverse("moderation:sample")),
            ("reviews", reverse("moderation:review_list")),
            ("exemptions", reverse("allocation:exemption_list")),
            ("imports", reverse("imports:history")),
            ("templates", reverse("audits:template_list")),
            ("concerns", reverse("actions:coc_list")),
            ("report audits", reverse("reports:drilldown") + f"?month={last:%Y-%m}"),
            ("monthly report", report),
            ("period report", period),
        ],
        "auditor": [*common, ("my audits", reverse("audits:my_audits")), ("feedback", reverse("moderation:feedback"))],
        "moderator": [*common, ("moderation queue", reverse("moderation:queue"))],
        "manager": [*common, ("concerns", reverse("actions:coc_list"))],
    }


def build(months: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from demo.authority import build_demo

    sys.argv = sys.argv[:1]  # bench_report reads no arguments, but keep ours out of its way
    import bench_report

    with transaction.atomic():
        build_demo(today=timezone.localdate())
        bench_report.build(months, random.Random(2026))
    analyze()


def analyze() -> None:
    """Give the planner the tables' statistics, as autovacuum does on a live database some minutes after a load.

    Without them the planner takes each freshly filled table for a few hundred rows and joins the open Children
    of Concern to every audit of ten years by a sequential scan (11 ms where an index lookup takes 0.2)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "qa_portal.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--access-logfile=/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(120):
            try:
                if requests.get(base + "/accounts/login/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not answer within a minute")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    _plain_http(session)
    response = session.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 302, f"{username} could not sign in ({response.status_code})"
    _plain_http(session)
    return session


def _plain_http(session: requests.Session) -> None:
    """Production marks cookies Secure; this plain-HTTP bench sends them all the same."""
    for cookie in session.cookies:
        cookie.secure = False


def fetch(session: requests.Session, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = session.get(url, allow_redirects=False)
    seconds = time.perf_counter() - start
    _plain_http(session)  # the session cookie is sent again (Secure) on every response: it restarts the idle clock
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return seconds, len(response.content)


def single_client(base: str, sessions: dict[str, requests.Session], pages: dict[str, list[tuple[str, str]]]) -> None:
    print("One client alone (median of 10 after a warm-up; the report pages also cold):")
    seen = set()
    for role, role_pages_ in pages.items():
        for name, path in [("password change (bare)", "/accounts/password_change/"), *role_pages_]:
            if (name, path) in seen:
                continue
            seen.add((name, path))
            url = base + path
            cold = ""
            if "report" in name and "audits" not in name:
                bump_data_version()
                cold = f"  cold {fetch(sessions[role], url)[0] * 1000:6.0f} ms"
            fetch(sessions[role], url)
            timings = [fetch(sessions[role], url) for _ in range(10)]
            ms = statistics.median(t for t, _ in timings) * 1000
            print(f"  {role:>9} {name:<24} {ms:6.0f} ms {timings[0][1] / 1024:7.0f} KB{cold}")


def bump_data_version() -> None:
    """What any write does: the next view of a report recomputes it."""
    from common.data_version import data_version_bump

    data_version_bump()


def _percentile(sorted_timings: list[float], share: float) -> float:
    return sorted_timings[min(len(sorted_timings) - 1, int(len(sorted_timings) * share))] * 1000


def load(
    name: str, clients: list[tuple[requests.Session, list[str]]], seconds: float, names: dict[str, str] | None = None
) -> dict[str, float]:
    """N clients for `seconds`; with `names` (url: page name) also each page's p50 and p95 under that load."""
    timings: list[tuple[str, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(session: requests.Session, urls: list[str], offset: int) -> None:
        mine = []
        n = offset
        while time.perf_counter() < stop:
            url = urls[n % len(urls)]
            try:
                mine.append((url, fetch(session, url)[0]))
            except AssertionError as error:
                errors.append(str(error))
            n += 1
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=run, args=(s, urls, i)) for i, (s, urls) in enumerate(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    every = sorted(seconds for _, seconds in timings)
    result = {"rps": len(every) / elapsed, "p50": _percentile(every, 0.5), "p95": _percentile(every, 0.95)}
    print(
        f"  {name:<10} {len(clients)} clients {elapsed:5.1f} s: {result['rps']:6.1f} req/s  "
        f"p50 {result['p50']:6.0f} ms  p95 {result['p95']:6.0f} ms  ({len(errors)} errors)"
    )
    if errors:
        print("    first error:", errors[0])
    by_page: dict[str, list[float]] = {}
    for url, took in timings:
        by_page.setdefault((names or {}).get(url, ""), []).append(took)
    for page, page_timings in sorted(by_page.items()) if names else ():
        page_timings.sort()
        print(
            f"    {page:<24} {len(page_timings):5d} requests  p50 {_percentile(page_timings, 0.5):6.0f} ms  "
            f"p95 {_percentile(page_timings, 0.95):6.0f} ms"
        )
    return result


def main() -> int:
    args = parse_args()
    months = 120 if args.full else args.months
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server (the bench makes and drops its own database there).")
        return 2
    if args.no_cache:
        os.environ["CACHE_URL"] = "dummycache://"
    setup_django(queue_celery=True, mail_in_memory=True)
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    with throwaway_database("bench-pages") as tmp:
        started = time.perf_counter()
        build(months)
        took = time.perf_counter() - started
        print(f"Built the demo authority and 40 teams with {months} months of history in {took:.0f} s")
        cache.clear()
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        connection.close()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_URL"))},
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "EMAIL_URL": "smtp://localhost:25",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "60",
            "DJANGO_STATIC_ROOT": str(Path(tmp) / "static"),
        }
        subprocess.run(  # noqa: S603
            [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"Cache: {settings.CACHES['default']['BACKEND']}; gunicorn with {args.workers} workers")
        pages = role_pages(timezone.localdate())
        with gunicorn(env, args.port, args.workers) as base:
            sessions = {role: sign_in(base, role) for role in ROLES}
            single_client(base, sessions, pages)
            bare_clients = [
                (sign_in(base, ROLES[i % 4]), [base + "/accounts/password_change/"]) for i in range(args.clients)
            ]
            mix_clients = []
            for i in range(args.clients):
                role = ROLES[i % 4]
                mix_clients.append((sign_in(base, role), [base + path for _, path in pages[role]]))
            print(f"Under load ({args.clients} clients, {args.seconds:.0f} s each):")
            bare = load("bare page", bare_clients, args.seconds)
            names = {base + path: name for role_pages_ in pages.values() for name, path in role_pages_}
            mix = load("page mix", mix_clients, args.seconds, names)
        ratio = mix["rps"] / bare["rps"]
        print(f"The mix serves {ratio:.0%} of the bare page's throughput (target: 50% or more)")
        print(f"load average {os.getloadavg()[0]:.1f}")
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
