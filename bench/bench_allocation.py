"""Benchmark: propose and confirm a month's allocation for a large authority.

    .venv/bin/python bench/bench_allocation.py

Builds 150 teams, 3,000 open children, 200 auditors and a year of past
audits in a throwaway database (a temporary SQLite file; with DATABASE_URL
set, a fresh test database on that server, dropped afterwards), then times
`month_plan_propose` and `month_plan_confirm` and counts their queries. It
runs a smaller authority first, to show the query count does not grow with
the number of auditors, teams or children. The e-mails to auditors are sent
by the Celery worker after the commit; they are timed separately.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from collections import Counter

from _common import bench_audit, setup_django, throwaway_database

# Queue the e-mail tasks in memory instead of running them inside the
# confirmation, as a real broker would; they are timed on their own below.
setup_django()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = {
    "small": {"teams": 20, "children": 400, "auditors": 30},
    "full": {"teams": 150, "children": 3000, "auditors": 200},
}


def build(size: dict, month: datetime.date, rng: random.Random) -> None:
    from allocation.models import Exemption
    from audits.models import Audit, Grade, TemplateVersion
    from caseload.models import Child, LegalStatus
    from common.periods import add_months
    from people.models import ServiceArea, Team, User

    tag = f"{size['teams']}"
    areas = [
        ServiceArea.objects.get_or_create(name=name)[0]
        for name in ("Children's Social Care", "Early Help", "Youth Support")
    ]
    teams = Team.objects.bulk_create(
        Team(name=f"Bench {tag} team {i:03d}", service_area=areas[i % 3]) for i in range(size["teams"])
    )
    social_workers = User.objects.bulk_create(
        User(username=f"bench{tag}-sw{i}", password="!", job_title="Social worker")
        for i in range(size["children"] // 5)
    )
    auditors = User.objects.bulk_create(
        User(
            username=f"bench{tag}-auditor{i}",
            password="!",
            email=f"bench{tag}-auditor{i}@example.org",
            is_auditor=True,
            audits_per_month=2 if i % 10 == 0 else 1,
            audit_frequency=User.AuditFrequency.BIMONTHLY if i % 10 == 5 else User.AuditFrequency.MONTHLY,
        )
        for i in range(size["auditors"])
    )
    membership = User.teams.through
    membership.objects.bulk_create(
        [membership(user_id=sw.pk, team_id=teams[i % len(teams)].pk) for i, sw in enumerate(social_workers)]
        + [membership(user_id=a.pk, team_id=teams[i % len(teams)].pk) for i, a in enumerate(auditors)]
    )
    Exemption.objects.bulk_create(
        Exemption(user=a, kind=Exemption.Kind.STANDING, reason=Exemption.Reason.MODERATOR) for a in auditors[3::25]
    )
    statuses = list(LegalStatus.values)
    children = Child.objects.bulk_create(
        Child(
            case_ref=f"B{tag}-{i:05d}",
            team=teams[i % len(teams)],
            legal_status=rng.choice(statuses),
            social_worker=social_workers[i // 5],
        )
        for i in range(size["children"])
    )
    template = TemplateVersion.objects.get(is_current=True, programme__kind="monthly")
    # Roughly the seeds' spread: 10 % Outstanding, 35 % Good, 40 % RI, 15 % Inadequate.
    grades = [Grade.OUTSTANDING] * 2 + [Grade.GOOD] * 7 + [Grade.REQUIRES_IMPROVEMENT] * 8 + [Grade.INADEQUATE] * 3
    past = []
    for back in range(1, 13):
        past_month = add_months(month, -back)
        for child in rng.sample(children, k=len(children) // 12):
            grade = rng.choice(grades)
            past.append(
                bench_audit(
                    child,
                    past_month,
                    auditor=rng.choice(auditors),
                    social_worker=child.social_worker,
                    template=template,
                    status=Audit.Status.SUBMITTED,
                    submitted_on=past_month.replace(day=20),
                    auditor_grade=grade,
                )
            )
    Audit.objects.bulk_create(past, batch_size=500)


def measure(label: str, size: dict, month: datetime.date) -> None:
    from allocation.services import allocation_notify_plan, month_plan_confirm, month_plan_propose
    from audits.models import Audit
    from people.models import Team, User

    start = time.perf_counter()
    build(size, month, random.Random(2026))
    built = time.perf_counter() - start
    quality = User.objects.create(username=f"bench-quality-{label}", is_quality=True)

    with CaptureQueriesContext(connection) as propose_queries:
        start = time.perf_counter()
        plan = month_plan_propose(month=month, by=quality, seed=12345)
        propose_seconds = time.perf_counter() - start
    lines = plan.proposals.count()
    per_team = Counter(plan.proposals.values_list("child__team_id", flat=True))
    spread = Counter(per_team.get(team_id, 0) for team_id in Team.objects.values_list("id", flat=True))

    with CaptureQueriesContext(connection) as confirm_queries:
        start = time.perf_counter()
        month_plan_confirm(plan=plan, by=quality)
        confirm_seconds = time.perf_counter() - start

    auditor_ids = list(Audit.objects.filter(plan=plan).values_list("auditor_id", flat=True).distinct())
    with CaptureQueriesContext(connection) as mail_queries:
        start = time.perf_counter()
        allocation_notify_plan(plan_id=plan.pk)
        mail_seconds = time.perf_counter() - start

    print(
        f"{label:>5}: {size['teams']} teams, {size['children']} open children, {size['auditors']} auditors "
        f"(data built in {built:.1f} s)\n"
        f"       propose  {propose_seconds:6.3f} s  {len(propose_queries):3d} queries  ({lines} lines; teams by "
        f"audits proposed: {', '.join(f'{n} audits: {teams}' for n, teams in sorted(spread.items()))})\n"
        f"       confirm  {confirm_seconds:6.3f} s  {len(confirm_queries):3d} queries\n"
        f"       total    {propose_seconds + confirm_seconds:6.3f} s\n"
        f"       e-mails  {mail_seconds:6.3f} s  {len(mail_queries):3d} queries for {len(auditor_ids)} auditors "
        "(one Celery task on the worker, after the commit)"
    )


def main() -> int:
    from common.periods import add_months, month_start

    month = add_months(month_start(timezone.localdate()), 1)
    # Each size gets a fresh throwaway database, so the full run holds exactly the full data.
    for label, size in SIZES.items():
        with throwaway_database(f"bench-{label}"):
            if label == "small":
                print(f"Database: {connection.vendor}, planning {month:%B %Y}")
            measure(label, size, month)
    return 0


if __name__ == "__main__":
    sys.exit(main())
