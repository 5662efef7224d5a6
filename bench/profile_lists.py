"""Profile the list pages on the benchmark's data, without rebuilding it on every run (issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench CACHE_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/profile_lists.py --build          # once: migrate and fill that database
    ... bench/profile_lists.py [--profile] [--queries] [PAGE ...] # time the pages (median of 10), in-process

bench_pages.py builds its data afresh in a throwaway database on every run (ten years take minutes); this
script builds the same data (the demo authority and bench_report.py's 40 teams, `--months` of history, ten
years by default) in the database DATABASE_URL names and keeps it, so a view can be timed, profiled
(`--profile`: cProfile's top functions by cumulative time) and its SQL listed (`--queries`: each query's
time, slowest first) again and again while it is changed. It prints each page's median wall time and its CPU
time in this process (median and least: on a machine shared with other work, the least CPU time is the
steadiest figure to compare a change by). `--serve PORT` times the pages through gunicorn instead.
Pages are fetched with Django's test client as the QA team's demo sign-in, with production settings (DEBUG off),
through every middleware.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# Production serves hashed static files from a manifest: collected once into a folder kept between runs.
STATIC_ROOT = Path(tempfile.gettempdir()) / f"qa-profile-static-{os.getuid()}"
os.environ.setdefault("DJANGO_STATIC_ROOT", str(STATIC_ROOT))

from _common import setup_django  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="page names (default: the three slow lists)")
    parser.add_argument("--build", action="store_true", help="migrate and fill DATABASE_URL's database")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (cumulative, tottime, ...)")
    parser.add_argument("--lines", type=int, default=45, help="how many of the profile's functions to print")
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--role", default="quality")
    parser.add_argument("--serve", type=int, metavar="PORT", help="time through gunicorn (4 workers) on this port")
    return parser.parse_args()


def build(months: int) -> None:
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from demo.authority import build_demo

    call_command("migrate", verbosity=0)
    import bench_report
    from bench_pages import analyze

    started = time.perf_counter()
    with transaction.atomic():
        build_demo(today=timezone.localdate())
        bench_report.build(months, random.Random(2026))
    analyze()
    cache.clear()
    took = time.perf_counter() - started
    print(f"Built the demo authority and 40 teams with {months} months of history in {took:.0f} s")


def served(args: argparse.Namespace) -> int:
    """The pages through gunicorn with production settings, one client, median of 10 (as bench_pages.py times)."""
    from bench_pages import fetch, gunicorn, role_pages, sign_in
    from django.db import connection
    from django.utils import timezone

    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_URL"))},
        "EMAIL_URL": "smtp://localhost:25",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "DATABASE_CONN_MAX_AGE": "60",
    }
    pages = dict(role_pages(timezone.localdate())[args.role])
    names = args.pages or ["actions", "report audits", "concerns"]
    paths = [("password change (bare)", "/accounts/password_change/"), *((name, pages[name]) for name in names)]
    with gunicorn(env, args.serve, 4) as base:
        session = sign_in(base, args.role)
        for name, path in paths:
            for _ in range(4):  # a warm-up for each worker
                fetch(session, base + path)
            timings = [fetch(session, base + path) for _ in range(10)]
            ms = statistics.median(t for t, _ in timings) * 1000
            print(f"{name:<24} {ms:6.1f} ms {timings[0][1] / 1024:5.0f} KB")
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


def main() -> int:
    args = parse_args()
    setup_django(queue_celery=True, mail_in_memory=True)
    if args.build:
        build(args.months)
        return 0
    if not (STATIC_ROOT / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    if args.serve:
        return served(args)
    from bench_pages import role_pages
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from people.models import User

    pages = {"bare": "/accounts/password_change/", **dict(role_pages(timezone.localdate())[args.role])}
    names = args.pages or ["bare", "actions", "report audits", "concerns"]
    client = Client()
    client.force_login(User.objects.get(username=args.role))
    for name in names:
        path = pages[name]
        client.get(path)
        timings, cpu = [], []
        for _ in range(10):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"{name:<16} {statistics.median(timings) * 1000:6.1f} ms "
            f"({statistics.median(cpu) * 1000:5.1f} ms CPU, least {min(cpu) * 1000:5.1f})  "
            f"{len(response.content) / 1024:5.0f} KB  "
            f"{len(queries)} queries, {sql_ms:.1f} ms SQL  ({path})"
        )
        if args.queries:
            for query in sorted(queries, key=lambda q: -float(q["time"])):
                print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:400]}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
        reset_queries()
    return 0


if __name__ == "__main__":
    sys.exit(main())
