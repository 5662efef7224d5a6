"""Benchmark: moderation sampling and assignment, the moderation pages and the moderator-effect figures.

    .venv/bin/python bench/bench_moderation.py

Builds an authority with years of returned audits, about a third of them moderated
by 40 moderators, in a throwaway database (a temporary SQLite file; with DATABASE_URL
set, a fresh test database on that server, dropped afterwards). Then it times
`moderation_consider` on a month's worth of newly submitted audits (the work done
inside each submit), the pages people open, and the selectors the report reuses,
counting their queries. A smaller authority runs first, to show the query counts
do not grow with the data.
"""

from __future__ import annotations

import datetime
import random
import sys
import time

from _common import bench_audit, setup_django, throwaway_database, timed

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = {
    "small": {"teams": 12, "audits_per_month": 30, "months": 12, "moderators": 6},
    "full": {"teams": 60, "audits_per_month": 300, "months": 60, "moderators": 40},
}


def build(size: dict, today: datetime.date, rng: random.Random) -> dict:
    from audits.models import GRADE_RANK, Audit, Grade, TemplateVersion
    from caseload.models import Child, LegalStatus
    from common.periods import months_ending
    from moderation.models import Moderation
    from people.models import ServiceArea, Team, User

    area = ServiceArea.objects.get_or_create(name="Children's Social Care")[0]
    teams = Team.objects.bulk_create(Team(name=f"Bench team {i:03d}", service_area=area) for i in range(size["teams"]))
    auditors = User.objects.bulk_create(
        User(username=f"bench-auditor{i}", password="!", is_auditor=True) for i in range(size["teams"] * 3)
    )
    moderators = User.objects.bulk_create(
        User(username=f"bench-moderator{i:02d}", password="!", is_moderator=True) for i in range(size["moderators"])
    )
    children = Child.objects.bulk_create(
        Child(case_ref=f"B{i:06d}", team=teams[i % len(teams)], legal_status=rng.choice(list(LegalStatus.values)))
        for i in range(size["audits_per_month"] * 12)
    )
    template = TemplateVersion.objects.get(is_current=True, programme__kind="monthly")
    grades = [Grade.OUTSTANDING] * 2 + [Grade.GOOD] * 7 + [Grade.REQUIRES_IMPROVEMENT] * 8 + [Grade.INADEQUATE] * 3
    by_rank = {rank: grade for grade, rank in GRADE_RANK.items()}
    audits = []
    for month in months_ending(today, size["months"]):
        for child in rng.sample(children, k=size["audits_per_month"]):
            audits.append(
                bench_audit(
                    child,
                    month,
                    auditor=rng.choice(auditors),
                    template=template,
                    status=Audit.Status.SUBMITTED,
                    submitted_on=month.replace(day=20),
                    auditor_grade=rng.choice(grades),
                )
            )
    audits = Audit.objects.bulk_create(audits, batch_size=1000)
    moderations = []
    for audit in audits:
        if rng.random() > 0.33:
            continue
        rank = GRADE_RANK[Grade(audit.auditor_grade)] + rng.choice([0, 0, 0, 0, 0, 0, -1, -1, 1])
        grade = by_rank[min(4, max(1, rank))]
        done = audit.month < today.replace(day=1) or rng.random() < 0.5
        moderations.append(
            Moderation(
                audit=audit,
                sample_reason=Moderation.SampleReason.RANDOM,
                moderator=rng.choice(moderators),
                assigned_at=timezone.now(),
                due_on=audit.submitted_on + datetime.timedelta(days=10),
                status=Moderation.Status.COMPLETED if done else Moderation.Status.ASSIGNED,
                grade=grade if done else "",
                moderated_on=audit.submitted_on + datetime.timedelta(days=8) if done else None,
                feedback="Bench feedback" if done else "",
                rationale="Bench rationale" if done else "",
            )
        )
    Moderation.objects.bulk_create(moderations, batch_size=2000)
    quality = User.objects.create(username="bench-quality", is_quality=True)
    return {
        "quality": quality,
        "moderator": moderators[0],
        "auditor": auditors[0],
        "auditors": auditors,
        "children": children,
        "template": template,
        "area": area,
        "audits": len(audits),
        "moderations": len(moderations),
    }


def measure(label: str, size: dict, today: datetime.date) -> None:
    from audits.models import Audit
    from common.periods import add_months
    from moderation import selectors
    from moderation.services import moderation_consider

    start = time.perf_counter()
    data = build(size, today, random.Random(2026))
    built = time.perf_counter() - start
    print(
        f"{label:>5}: {size['teams']} teams, {data['audits']} audits over {size['months']} months, "
        f"{data['moderations']} moderations, {size['moderators']} moderators (built in {built:.1f} s)"
    )
    month = today.replace(day=1)
    next_month = add_months(month, 1)
    # A month's worth of new submissions, each considered as `audit_submit` would.
    fresh = Audit.objects.bulk_create(
        bench_audit(
            child,
            next_month,
            auditor=data["auditors"][i % len(data["auditors"])],
            template=data["template"],
            auditor_grade="good",
        )
        for i, child in enumerate(data["children"][: size["audits_per_month"]])
    )
    fresh = list(Audit.objects.filter(pk__in=[a.pk for a in fresh]).select_related("team"))
    sampled, seconds = 0, 0.0
    with CaptureQueriesContext(connection) as queries:
        for audit in fresh:
            # Submitted one at a time, as they arrive; only the consider call is timed.
            Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED, submitted_on=today)
            audit.status, audit.submitted_on = Audit.Status.SUBMITTED, today
            start = time.perf_counter()
            sampled += moderation_consider(audit=audit) is not None
            seconds += time.perf_counter() - start
    per_audit_queries = len(queries) / len(fresh) - 1  # less the UPDATE that stands in for the submit
    print(
        f"       {'moderation_consider, per audit':<36} {seconds / len(fresh) * 1000:7.1f} ms "
        f"{per_audit_queries:5.1f} queries  ({sampled} of {len(fresh)} sampled)"
    )

    clients = {}
    for role in ("quality", "moderator", "auditor"):
        clients[role] = Client()
        clients[role].force_login(data[role])

    def page(role, name, query=""):
        response = clients[role].get(reverse(name) + query)
        assert response.status_code == 200, (name, response.status_code)
        return response

    q = f"?month={month:%Y-%m}"
    rows = [
        ("queue (moderator)", lambda: page("moderator", "moderation:queue")),
        ("feedback (auditor)", lambda: page("auditor", "moderation:feedback")),
        ("sample page (QA), this month", lambda: page("quality", "moderation:sample", q)),
        ("panel (QA), this month", lambda: page("quality", "moderation:panel", q)),
        ("moderator effect page (QA)", lambda: page("quality", "moderation:effect", q)),
        ("third checks list (QA)", lambda: page("quality", "moderation:review_list")),
        ("moderator_effect (report)", lambda: selectors.moderator_effect(month)),
        ("moderation_summary (report)", lambda: selectors.moderation_summary(month)),
        ("primary_vs_moderated (report)", lambda: selectors.primary_vs_moderated(month)),
        ("awaiting_finalisation (report)", lambda: selectors.awaiting_finalisation(today, month)),
    ]
    for name, fn in rows:
        fn()  # warm caches (sessions, the policy row, template loading)
        seconds, queries, _ = timed(fn)
        print(f"       {name:<36} {seconds:7.3f} s  {queries:3d} queries")


def main() -> int:
    today = timezone.localdate()
    for label, size in SIZES.items():
        with throwaway_database(f"bench-moderation-{label}"):
            if label == "small":
                print(f"Database: {connection.vendor}, today {today:%d %b %Y}")
            measure(label, size, today)
    return 0


if __name__ == "__main__":
    sys.exit(main())
