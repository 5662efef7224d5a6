"""Benchmark: a themed audit's cohort page over a 50,000-child caseload.

    .venv/bin/python bench/bench_cohort.py

Builds 100 teams in three service areas and 50,000 open children across the legal statuses, about 12 % of them
flagged `no_plan` and 5 % `repeat_cp` (a 5,000-child caseload first, to show the query count does not grow),
in a throwaway database (a temporary SQLite file; with DATABASE_URL set, a fresh test database on that server,
dropped afterwards). It then times, signed in as the QA team: the live size of a cohort as the rules change
(the htmx request), drawing a 10 % sample with auditors proposed, the page with that sample, confirming it into
audits, and the page once confirmed. The target is under 1 s for each page.
"""

from __future__ import annotations

import datetime
import random
import sys

from _common import setup_django, throwaway_database, timed

setup_django()

SIZES = {"small": 5_000, "full": 50_000}


def build(children: int, rng: random.Random) -> dict:
    from audits.models import PracticeArea, Programme, TemplateVersion
    from caseload.models import Child, Flag, LegalStatus
    from people.models import ServiceArea, Team, User

    areas = [ServiceArea.objects.get_or_create(name=n)[0] for n in ("Children's Social Care", "Early Help", "Youth")]
    teams = Team.objects.bulk_create(Team(name=f"Team {i:03d}", service_area=areas[i % 3]) for i in range(100))
    auditors = User.objects.bulk_create(
        User(username=f"auditor{i}", first_name="Auditor", last_name=f"{i:03d}", is_auditor=True) for i in range(80)
    )
    User.teams.through.objects.bulk_create(
        User.teams.through(user_id=a.pk, team_id=teams[i % len(teams)].pk) for i, a in enumerate(auditors)
    )
    statuses = list(LegalStatus.values)
    Child.objects.bulk_create(
        (
            Child(
                case_ref=f"B{i:06d}",
                team=teams[i % len(teams)],
                legal_status=statuses[i % len(statuses)],
                opened_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(2400)),
            )
            for i in range(children)
        ),
        batch_size=5_000,
    )
    no_plan = Flag.objects.create(name="no_plan")
    repeat_cp = Flag.objects.create(name="repeat_cp")
    through = Child.flags.through
    rows = []
    for child_id in Child.objects.values_list("id", flat=True):
        if rng.random() < 0.12:
            rows.append(through(child_id=child_id, flag_id=no_plan.pk))
        if rng.random() < 0.05:
            rows.append(through(child_id=child_id, flag_id=repeat_cp.pk))
    through.objects.bulk_create(rows, batch_size=5_000)
    programme = Programme.objects.create(
        name="Children open with no current plan", slug="no-plan", kind=Programme.Kind.DIP_SAMPLE
    )
    template = TemplateVersion.objects.create(programme=programme, number=1, is_current=True)
    PracticeArea.objects.create(template=template, slug="plan", name="The plan", order=1)
    quality = User.objects.create(username="quality", is_quality=True)
    return {"programme": programme, "quality": quality, "no_plan": no_plan, "areas": areas}


def run(label: str, children: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from allocation.cohort_services import cohort_confirm, cohort_draw_sample, cohort_save_rules
    from allocation.models import Cohort
    from caseload.models import LegalStatus

    with throwaway_database(f"bench_cohort_{label}"):
        world = build(children, random.Random(13))
        programme, quality = world["programme"], world["quality"]
        client = Client()
        client.force_login(quality)
        url = reverse("allocation:cohort", args=[programme.slug])
        results = {}
        preview = {
            "preview": "1",
            "flags": [world["no_plan"].pk],
            "legal_statuses": [LegalStatus.CIN, LegalStatus.CP],
            "service_areas": [world["areas"][0].pk],
        }
        client.get(url, preview, headers={"HX-Request": "true"})  # warm up
        results["live size (htmx)"] = timed(lambda: client.get(url, preview, headers={"HX-Request": "true"}))
        cohort = cohort_save_rules(programme=programme, by=quality, flags=[world["no_plan"]])
        results["draw 10 % + propose auditors"] = timed(
            lambda: cohort_draw_sample(cohort=cohort, by=quality, percent=10, seed=482913)
        )
        client.get(url)  # the first request compiles and caches the templates
        results["page with the sample"] = timed(lambda: client.get(url))
        results["confirm"] = timed(lambda: cohort_confirm(cohort=Cohort.objects.get(pk=cohort.pk), by=quality))
        client.get(url)
        results["page once confirmed"] = timed(lambda: client.get(url))
        cohort = Cohort.objects.get(pk=cohort.pk)
        sampled = programme.audits.count()
        print(f"\n{label}: {children:,} children, cohort {cohort.size_when_drawn:,}, sample {sampled:,}")
        for name, (seconds, queries, response) in results.items():
            status = getattr(response, "status_code", "")
            print(f"  {name:32} {seconds * 1000:8.1f} ms  {queries:3d} queries  {status}")
        return results


def main() -> int:
    small = run("small", SIZES["small"])
    full = run("full", SIZES["full"])
    pages = ("live size (htmx)", "page with the sample", "page once confirmed")
    slow = [name for name in pages if full[name][0] >= 1.0]
    grown = [name for name in pages if full[name][1] != small[name][1]]
    if slow:
        print(f"\nSLOWER THAN 1 s: {', '.join(slow)}")
    if grown:
        print(f"\nQUERY COUNT GREW WITH THE CASELOAD: {', '.join(grown)}")
    return 1 if slow or grown else 0


if __name__ == "__main__":
    sys.exit(main())
