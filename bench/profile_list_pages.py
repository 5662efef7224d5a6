"""Profile list pages in-process on the bench data (issue 15): time, queries, and where the time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench CACHE_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/profile_list_pages.py [--build] [--profile] [--queries] [page ...]

Unlike bench_pages.py this keeps its database: `--build` migrates the database DATABASE_URL names and fills it
once with bench_pages.py's data (the demo authority and 40 teams with ten years of history); later runs reuse it.
Each page is fetched by the QA team's sign-in through Django's test Client with DEBUG off: the median of 10
after a warm-up, the size and the number of queries; `--queries` lists the slowest queries of one view,
`--profile` prints cProfile's top functions (`--sort`, `--lines`). `--build` ends with ANALYZE, so that the
planner sees the rows as it would on a live database. Pages: bare (the password change page, for
comparison), moderation, reviews, returns (default all).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import setup_django

PAGES = {
    "bare": "password_change",
    "moderation": "moderation:sample",
    "reviews": "moderation:review_list",
    "returns": "allocation:returns",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help=f"any of {', '.join(PAGES)} (default all)")
    parser.add_argument("--build", action="store_true", help="migrate and fill the database first")
    parser.add_argument("--profile", action="store_true", help="cProfile one view")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order: cumulative (default), tottime")
    parser.add_argument("--lines", type=int, default=30, help="cProfile's lines shown (default 30)")
    parser.add_argument("--queries", action="store_true", help="list one view's slowest queries")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if unknown := set(args.pages) - set(PAGES):
        print(f"No such page: {', '.join(sorted(unknown))}")
        return 2
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "profile-list-pages-not-a-secret")
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    # Production serves the collected, hashed static files: collect them once, outside the worktree.
    os.environ.setdefault("DJANGO_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "qa-profile-static"))
    setup_django()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from people.models import User

    if not (Path(os.environ["DJANGO_STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    if args.build:
        import bench_pages

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        bench_pages.build(120)
        print(f"Built the bench data in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics, as a live database has them
        cache.clear()
    client = Client()
    client.force_login(User.objects.get(username="quality"))
    for name in args.pages or PAGES:
        url = reverse(PAGES[name])
        client.get(url)
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"{name:<12} {statistics.median(timings) * 1000:6.1f} ms {len(response.content) / 1024:5.0f} KB "
            f"{len(queries):3d} queries"
        )
        if args.queries:
            for query in sorted(queries, key=lambda q: -float(q["time"]))[:5]:
                print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:400]}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(client.get, url)
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
