"""Benchmark: the action tracker, its CSV export, the report's action figures and the daily reminder scan.

    .venv/bin/python bench/bench_actions.py

Builds an authority with years of audit history (three actions per returned
audit, a Child of Concern for each Inadequate one) in a throwaway database (a
temporary SQLite file; with DATABASE_URL set, a fresh test database on that
server, dropped afterwards), then times the pages people open and the work the
report and the daily job do, and counts their queries. A smaller authority
runs first, to show the query counts do not grow with the data.
"""

from __future__ import annotations

import datetime
import random
import sys
import time

from _common import bench_audit, setup_django, throwaway_database, timed

# The daily job only enqueues; a real broker would hold the tasks. Keep them in memory, unsent.
setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = {
    "small": {"teams": 12, "audits_per_month": 30, "months": 12},
    "full": {"teams": 60, "audits_per_month": 300, "months": 120},
}


def build(size: dict, today: datetime.date, rng: random.Random) -> dict:
    from actions.services import ConcernFacts, action_build, actions_create_many, children_of_concern_evaluate_many
    from audits.models import Audit, Grade, TemplateVersion
    from caseload.models import Child, LegalStatus
    from common.periods import months_ending
    from people.models import ServiceArea, Team, User

    areas = [
        ServiceArea.objects.get_or_create(name=name)[0]
        for name in ("Children's Social Care", "Early Help", "Youth Support")
    ]
    managers = User.objects.bulk_create(
        User(username=f"bench-manager{i}", password="!", email=f"m{i}@example.org", is_manager=True)
        for i in range(size["teams"])
    )
    teams = Team.objects.bulk_create(
        Team(name=f"Bench team {i:03d}", service_area=areas[i % 3], manager=managers[i], head_of_service=managers[0])
        for i in range(size["teams"])
    )
    staff = User.objects.bulk_create(
        User(username=f"bench-sw{i}", password="!", email=f"sw{i}@example.org", is_auditor=True)
        for i in range(size["teams"] * 5)
    )
    children = Child.objects.bulk_create(
        Child(case_ref=f"B{i:06d}", team=teams[i % len(teams)], legal_status=rng.choice(list(LegalStatus.values)))
        for i in range(size["audits_per_month"] * 12)
    )
    template = TemplateVersion.objects.get(is_current=True, programme__kind="monthly")
    grades = [Grade.OUTSTANDING] * 2 + [Grade.GOOD] * 7 + [Grade.REQUIRES_IMPROVEMENT] * 8 + [Grade.INADEQUATE] * 3
    audits = []
    for month in months_ending(today, size["months"]):
        for child in rng.sample(children, k=size["audits_per_month"]):
            grade = rng.choice(grades)
            audits.append(
                bench_audit(
                    child,
                    month,
                    auditor=rng.choice(staff),
                    template=template,
                    status=Audit.Status.SUBMITTED,
                    submitted_on=month.replace(day=20),
                    auditor_grade=grade,
                )
            )
    audits = Audit.objects.bulk_create(audits, batch_size=1000)
    actions = []
    concerns = []
    for audit in audits:
        for n in range(3):
            due = audit.month + datetime.timedelta(days=30 + 20 * n + rng.randrange(20))
            done = rng.random()
            completed = None
            if done < 0.75 and due - datetime.timedelta(days=10) < today:
                completed = min(today, due + datetime.timedelta(days=rng.randrange(-20, 25)))
            actions.append(
                action_build(
                    audit=audit,
                    description=f"Action {n} for {audit.child_id}",
                    owner=rng.choice(staff),
                    due_on=due,
                    completed_on=completed,
                    in_care_plan=n == 0,
                )
            )
        if audit.final_grade == Grade.INADEQUATE:
            raised = audit.submitted_on
            resolved = raised + datetime.timedelta(days=12) if raised < today - datetime.timedelta(days=30) else None
            concerns.append(ConcernFacts(audit=audit, raised_on=raised, resolved_on=resolved))
    actions_create_many(actions=actions, batch_size=2000)
    children_of_concern_evaluate_many(audits=concerns)
    quality = User.objects.create(username="bench-quality", is_quality=True)
    return {"quality": quality, "manager": managers[1], "actions": len(actions), "concerns": len(concerns)}


def measure(label: str, size: dict, today: datetime.date) -> None:
    from actions.selectors import action_figures, children_of_concern_figures
    from actions.tasks import actions_daily
    from common.periods import months_ending

    start = time.perf_counter()
    data = build(size, today, random.Random(2026))
    built = time.perf_counter() - start
    print(
        f"{label:>5}: {size['teams']} teams, {size['months']} months, {data['actions']} actions, "
        f"{data['concerns']} Children of Concern (built in {built:.1f} s)"
    )
    quality, manager = Client(), Client()
    quality.force_login(data["quality"])
    manager.force_login(data["manager"])
    tracker = reverse("actions:list")

    def page(client, url):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def export(client, query):
        response = client.get(reverse("actions:export") + query)
        return sum(1 for _ in response.streaming_content) - 1

    month = today.replace(day=1)
    window = months_ending(month, 3)
    window_query = f"?status=&audit_month_from={window[0]:%Y-%m}&audit_month_to={month:%Y-%m}&as_of={today:%Y-%m-%d}"
    rows = [
        ("tracker, QA landing (overdue)", lambda: page(quality, tracker)),
        ("tracker, QA everything", lambda: page(quality, tracker + "?view=&status=")),
        ("tracker, manager landing", lambda: page(manager, tracker)),
        ("tracker, report's 3 months, as of", lambda: page(quality, tracker + window_query)),
        ("Children of Concern list", lambda: page(quality, reverse("actions:coc_list"))),
        ("action_figures (report)", lambda: action_figures(month, today)),
        ("children_of_concern_figures", lambda: children_of_concern_figures(month, today)),
        ("daily job scan (enqueue only)", lambda: actions_daily()),
    ]
    for name, fn in rows:
        fn()  # warm caches (sessions, the policy row, template loading)
        seconds, queries, _ = timed(fn)
        print(f"       {name:<34} {seconds:7.3f} s  {queries:3d} queries")
    seconds, queries, lines = timed(lambda: export(quality, "?view=&status="))
    print(f"       {'CSV export, everything':<34} {seconds:7.3f} s  {queries:3d} queries  ({lines} rows)")


def main() -> int:
    today = timezone.localdate()
    for label, size in SIZES.items():
        with throwaway_database(f"bench-actions-{label}"):
            if label == "small":
                print(f"Database: {connection.vendor}, today {today:%d %b %Y}")
            measure(label, size, today)
    return 0


if __name__ == "__main__":
    sys.exit(main())
