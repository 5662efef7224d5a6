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


def link_reaudits(returned: list) -> list:
    """Re-audits (issue 14): up to eight returned audits a month follow an Inadequate audit of three months
    before. The bench links across children (the figures never look at the child), so every month has some."""
    from audits.models import Grade
    from common.periods import add_months

    inadequate_by_month: dict[datetime.date, list] = {}
    for audit in returned:
        if audit.final_grade == Grade.INADEQUATE:
            inadequate_by_month.setdefault(audit.month, []).append(audit)
    reaudits = []
    for audit in returned:
        earlier = inadequate_by_month.get(add_months(audit.month, -3), [])
        if earlier and sum(1 for r in reaudits if r.month == audit.month) < 8:
            audit.reaudit_of = earlier[len(reaudits) % len(earlier)]
            reaudits.append(audit)
    return reaudits


def tag_themes(returned: list) -> list:
    """Learning themes: two areas for improvement and one strength per returned audit, drawn from their own
    generator so the rest of the data stays as it was before themes existed."""
    from audits.models import AuditTheme, Theme

    theme_rng = random.Random(14)
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    tags = []
    for audit in returned:
        for kind, k in (("improvement", 2), ("strength", 1)):
            tags += [AuditTheme(audit=audit, theme_id=pk, kind=kind) for pk in theme_rng.sample(theme_ids, k)]
    AuditTheme.objects.bulk_create(tags, batch_size=5000)
    return tags


def build(months: int, rng: random.Random) -> dict:
    from actions.services import ConcernFacts, action_build, actions_create_many, children_of_concern_evaluate_many
    from audits.grading import audit_final_grade_assign
    from audits.models import AreaGrade, Audit, Grade, PracticeArea, TemplateVersion
    from caseload.models import Child, LegalStatus
    from common.periods import months_ending
    from moderation.models import Moderation
    from people.models import ServiceArea, Team, User

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
    template = TemplateVersion.objects.get(is_current=True, programme__kind="monthly")
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
            audit_final_grade_assign(audit, moderated_grade=moderated)
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
                action_build(audit=audit, description="Action", owner=audit.auditor, due_on=due, completed_on=done)
            )
        if audit.final_grade == Grade.INADEQUATE:
            concerns.append(
                ConcernFacts(
                    audit=audit,
                    raised_on=audit.submitted_on,
                    resolved_on=audit.submitted_on + datetime.timedelta(days=10),
                )
            )
        for practice_area in practice_areas:
            area_grades.append(AreaGrade(audit=audit, area=practice_area, grade=rng.choice(grades + ["na"])))
    reaudits = link_reaudits(returned)
    Audit.objects.bulk_update(returned, ["final_grade"], batch_size=1000)
    Audit.objects.bulk_update(reaudits, ["reaudit_of"], batch_size=1000)
    Moderation.objects.bulk_create(moderations, batch_size=1000)
    actions_create_many(actions=actions, batch_size=2000)
    children_of_concern_evaluate_many(audits=concerns)
    AreaGrade.objects.bulk_create(area_grades, batch_size=5000)
    tags = tag_themes(returned)
    quality = User.objects.create(username="bench-quality", password="!", is_quality=True)
    return {
        "quality": quality,
        "audits": len(audits),
        "actions": len(actions),
        "area_grades": len(area_grades),
        "theme_tags": len(tags),
    }


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
    from audits.models import Audit
    from reports.reaudits import reaudit_impact
    from reports.selectors import practice_area_ratings, report_figures
    from reports.themes import good_practice_entries, theme_figures, theme_groups, theme_strands, theme_trend

    start = time.perf_counter()
    data = build(months, random.Random(2026))
    print(
        f"{label:>8}: {TEAMS} teams, {months} months, {data['audits']} audits, {data['actions']} actions, "
        f"{data['area_grades']} area grades, {data['theme_tags']} theme tags "
        f"(built in {time.perf_counter() - start:.1f} s)"
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
        ("reaudit_impact", lambda: reaudit_impact(REPORT_MONTH)),
        ("theme_figures (in the figures)", lambda: theme_figures(Audit.objects.filter(month=REPORT_MONTH))),
        ("theme_trend (12 months)", lambda: theme_trend(Audit.objects.all(), REPORT_MONTH)),
        ("theme_groups (team, area)", lambda: theme_groups(Audit.objects.filter(month=REPORT_MONTH))),
        ("theme_strands", lambda: theme_strands(Audit.objects.filter(month=REPORT_MONTH))),
        ("good_practice_entries", lambda: good_practice_entries(Audit.objects.filter(month=REPORT_MONTH))),
        ("report page (HTML, charts)", page),
    ):
        seconds, cpu, queries = timed(fn)
        results[name] = seconds
        print(f"          {name:<32} {seconds:7.3f} s wall  {cpu:7.3f} s CPU  {queries:3d} queries")
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
