"""Benchmark: the monthly report's figures and page with one year and with ten years of history.

    .venv/bin/python bench/bench_report.py

Builds a 40-team authority (100 allocations a month: returned, exempted, nil
returns, sent back; a quarter moderated; three actions per returned audit; a
Child of Concern per Inadequate; nine practice-area grades per audit) in a
throwaway database (a temporary SQLite file; with DATABASE_URL set, a fresh test
database on that server, dropped afterwards). It then times `report_figures`
for the latest month, the practice-area figures and the whole report page, and
counts their queries. Targets: figures under 0.5 s, and no slower with ten years
than with one.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time

from _common import bench_audit, setup_django, throwaway_database

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

TEAMS = 40
ALLOCATIONS_PER_MONTH = 100
SIZES = {"1 year": 12, "10 years": 120}
REPORT_MONTH = datetime.date(2026, 10, 1)
REPEATS = 5


def build(months: int, rng: random.Random) -> dict:
    from actions.models import Action, ChildOfConcern
    from audits.models import AreaGrade, Audit, Child, Grade, LegalStatus, PracticeArea, TemplateVersion
    from moderation.models import Moderation
    from people.models import ServiceArea, Team, User
    from reports.periods import months_ending

    area = ServiceArea.objects.get_or_create(name="Children's Social Care")[0]
    teams = Team.objects.bulk_create(Team(name=f"Bench team {i:02d}", service_area=area) for i in range(TEAMS))
    staff = User.objects.bulk_create(
        User(username=f"bench-auditor{i}", password="!", is_auditor=True) for i in range(TEAMS * 3)
    )
    moderator = User.objects.create(username="bench-moderator", password="!", is_moderator=True)
    children = Child.objects.bulk_create(
        Child(case_ref=f"B{i:06d}", team=teams[i % TEAMS], legal_status=rng.choice(LegalStatus.values))
        for i in range(ALLOCATIONS_PER_MONTH * 12)
    )
    template = TemplateVersion.objects.get(is_current=True)
    practice_areas = list(PracticeArea.objects.filter(template=template))
    grades = [Grade.OUTSTANDING] * 2 + [Grade.GOOD] * 7 + [Grade.REQUIRES_IMPROVEMENT] * 8 + [Grade.INADEQUATE] * 3
    outcomes = ["returned"] * 80 + ["exempted"] * 8 + ["nil"] * 6 + ["sent_back"] * 3 + ["draft"] * 3
    audits = []
    for month in months_ending(REPORT_MONTH, months):
        for child in rng.sample(children, k=ALLOCATIONS_PER_MONTH):
            outcome = rng.choice(outcomes)
            grade = rng.choice(grades) if outcome in ("returned", "sent_back") else ""
            status = {
                "returned": Audit.Status.SUBMITTED,
                "exempted": Audit.Status.EXEMPTED,
                "nil": Audit.Status.NIL_RETURN,
                "sent_back": Audit.Status.SENT_BACK,
                "draft": Audit.Status.DRAFT,
            }[outcome]
            submitted = month.replace(day=rng.randint(15, 28)) if grade else None
            audits.append(
                bench_audit(
                    child,
                    month,
                    auditor=rng.choice(staff),
                    template=template,
                    status=status,
                    submitted_on=submitted,
                    auditor_grade=grade,
                    final_grade=grade if outcome == "returned" else "",
                    at_risk=grade == Grade.REQUIRES_IMPROVEMENT and rng.random() < 0.3,
                    sw_participated=rng.random() < 0.9 if grade else None,
                    manager_participated=rng.random() < 0.9 if grade else None,
                    iro_views=rng.choice(["yes", "no", "na", ""]) if grade else "",
                    child_spoken_to=rng.random() < 0.3 if grade else None,
                    parent_spoken_to=rng.random() < 0.6 if grade else None,
                    child_feedback=rng.choice(["", "", "positive", "mixed", "negative"]) if grade else "",
                    parent_feedback=rng.choice(["", "positive", "mixed", "negative"]) if grade else "",
                    finalised_on=month.replace(day=28) if rng.random() < 0.97 else None,
                )
            )
    audits = Audit.objects.bulk_create(audits, batch_size=1000)
    returned = [a for a in audits if a.status == Audit.Status.SUBMITTED]
    moderations, actions, concerns, area_grades = [], [], [], []
    for audit in returned:
        if rng.random() < 0.25:
            moderated = rng.choice(grades)
            audit.final_grade = moderated
            moderations.append(
                Moderation(
                    audit=audit,
                    sample_reason=Moderation.SampleReason.RANDOM,
                    status=Moderation.Status.COMPLETED,
                    moderator=moderator,
                    grade=moderated,
                    moderated_on=audit.submitted_on + datetime.timedelta(days=5),
                )
            )
        for n in range(3):
            due = audit.month + datetime.timedelta(days=30 + 20 * n)
            done = due + datetime.timedelta(days=rng.randint(-15, 20)) if rng.random() < 0.8 else None
            actions.append(
                Action(audit=audit, description="Action", owner=audit.auditor, due_on=due, completed_on=done)
            )
        if audit.final_grade == Grade.INADEQUATE:
            concerns.append(
                ChildOfConcern(
                    audit=audit,
                    child_id=audit.child_id,
                    trigger=ChildOfConcern.Trigger.INADEQUATE,
                    raised_on=audit.submitted_on,
                    response_due_on=audit.submitted_on,
                    resolved_on=audit.submitted_on + datetime.timedelta(days=10),
                )
            )
        for practice_area in practice_areas:
            area_grades.append(AreaGrade(audit=audit, area=practice_area, grade=rng.choice(grades + ["na"])))
    Audit.objects.bulk_update(returned, ["final_grade"], batch_size=1000)
    Moderation.objects.bulk_create(moderations, batch_size=1000)
    Action.objects.bulk_create(actions, batch_size=2000)
    ChildOfConcern.objects.bulk_create(concerns, batch_size=2000)
    AreaGrade.objects.bulk_create(area_grades, batch_size=5000)
    quality = User.objects.create(username="bench-quality", password="!", is_quality=True)
    return {"quality": quality, "audits": len(audits), "actions": len(actions), "area_grades": len(area_grades)}


def timed(fn) -> tuple[float, float, int]:
    """Median wall and CPU seconds over REPEATS warm runs, and the query count of one run.

    CPU time is this process's own work (the database's, for PostgreSQL, is in the wall time only);
    on a busy machine wall time also counts the wait for a free CPU.
    """
    fn()
    walls, cpus = [], []
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), len(queries)


def measure(label: str, months: int) -> dict[str, float]:
    from reports.selectors import practice_area_ratings, report_figures

    start = time.perf_counter()
    data = build(months, random.Random(2026))
    print(
        f"{label:>8}: {TEAMS} teams, {months} months, {data['audits']} audits, {data['actions']} actions, "
        f"{data['area_grades']} area grades (built in {time.perf_counter() - start:.1f} s)"
    )
    client = Client()
    client.force_login(data["quality"])
    page_url = reverse("reports:detail", kwargs={"year": REPORT_MONTH.year, "month": REPORT_MONTH.month})

    def page():
        response = client.get(page_url)
        assert response.status_code == 200, response.status_code

    results = {}
    for name, fn in (
        ("report_figures", lambda: report_figures(REPORT_MONTH)),
        ("practice_area_ratings", lambda: practice_area_ratings(REPORT_MONTH)),
        ("report page (HTML, charts)", page),
    ):
        seconds, cpu, queries = timed(fn)
        results[name] = seconds
        print(f"          {name:<28} {seconds:7.3f} s wall  {cpu:7.3f} s CPU  {queries:3d} queries")
    return results


def main() -> int:
    results = {}
    for label, months in SIZES.items():
        with throwaway_database(f"bench-report-{months}"):
            if not results:
                print(f"Database: {connection.vendor}; report month {REPORT_MONTH:%B %Y}")
            results[label] = measure(label, months)
    one, ten = results["1 year"]["report_figures"], results["10 years"]["report_figures"]
    print(f"report_figures: {one:.3f} s with 1 year, {ten:.3f} s with 10 years (target < 0.5 s, ratio {ten / one:.2f})")
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0 if ten < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
