"""Benchmark: the audit form's pages and writes, small against large.

    .venv/bin/python bench/bench_audit_form.py

For each size it builds, in a throwaway database (a temporary SQLite file; with
DATABASE_URL set, a fresh test database on that server, dropped afterwards), one
audit with N practice areas and M actions, a staff list for the owner pickers,
and a history of earlier editing sessions; then times the form page, an autosave,
the submission, the read-only page and the history page through the test client,
and counts each one's queries. Page queries must not grow from small to large.
"""

from __future__ import annotations

import datetime
import sys
import time

from _common import setup_django, throwaway_database

setup_django(queue_celery=False)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = {
    "small": {"areas": 3, "actions": 1, "staff": 50, "sessions": 2},
    "large": {"areas": 12, "actions": 8, "staff": 1000, "sessions": 60},
}
REPEAT = 5


def build(size: dict):
    from actions.services import action_create
    from audits.models import Audit, PracticeArea, TemplateVersion
    from caseload.models import Child
    from people.models import ServiceArea, Team, User

    area = ServiceArea.objects.create(name="Children's Social Care")
    team = Team.objects.create(name="Bench team", service_area=area)
    staff = User.objects.bulk_create(
        [User(username=f"staff{i}", first_name="Staff", last_name=f"Member {i}") for i in range(size["staff"])]
    )
    auditor = User.objects.create(username="bench-auditor", is_auditor=True, email="a@example.org")
    template = TemplateVersion.objects.create(number=900, is_current=False)
    PracticeArea.objects.bulk_create(
        [PracticeArea(template=template, slug=f"area-{i}", name=f"Area {i}", order=i) for i in range(size["areas"])]
    )
    child = Child.objects.create(case_ref="BENCH1", team=team, legal_status="CIN")
    today = timezone.localdate()
    audit = Audit.objects.create(
        month=today.replace(day=1),
        auditor=auditor,
        child=child,
        team=team,
        service_area=area,
        legal_status="CIN",
        template=template,
        due_on=today + datetime.timedelta(days=5),
    )
    for i in range(size["actions"]):
        action_create(
            audit=audit, description=f"Action {i}", owner=staff[i], due_on=today + datetime.timedelta(days=30)
        )
    return audit, auditor


def post_data(client: Client, audit, today: datetime.date, text: str) -> dict:
    from audits.completion import audit_areas_ensure

    audit.refresh_from_db()
    data = {
        "version": str(audit.version),
        "editor": "bench-tab",
        "auditor_grade": "good",
        "sw_participated": "yes",
        "manager_participated": "yes",
        "iro_views": "na",
        "child_spoken_to": "yes",
        "child_feedback": "positive",
        "child_feedback_comment": "Fine.",
        "parent_spoken_to": "no",
        "strengths": text,
        "improvements": "Chronology.",
    }
    for ag in audit_areas_ensure(audit=audit):
        data[f"area-{ag.area_id}-grade"] = "good"
        data[f"area-{ag.area_id}-evidence"] = f"Evidence {text}"
        data[f"area-{ag.area_id}-impact"] = "Impact."
    actions = list(audit.actions.order_by("pk"))
    data.update({"actions-TOTAL_FORMS": str(len(actions)), "actions-INITIAL_FORMS": str(len(actions))})
    for i, action in enumerate(actions):
        data.update(
            {
                f"actions-{i}-id": str(action.pk),
                f"actions-{i}-description": f"{action.description} {text}",
                f"actions-{i}-owner": str(action.owner_id),
                f"actions-{i}-due_on": (today + datetime.timedelta(days=30)).isoformat(),
            }
        )
    return data


def timed(label: str, call) -> tuple[float, int]:
    best = None
    queries = 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - start
        assert response.status_code in (200, 302), (label, response.status_code)
        best = elapsed if best is None else min(best, elapsed)
        queries = len(ctx)
    return best * 1000, queries


def measure(label: str, size: dict) -> dict:
    from audits.completion import HISTORY_SESSION_GAP

    audit, auditor = build(size)
    client = Client()
    client.force_login(auditor)
    today = timezone.localdate()
    edit, autosave = reverse("audits:audit_edit", args=[audit.pk]), reverse("audits:audit_autosave", args=[audit.pk])
    # Earlier editing sessions, each more than the merge gap apart, make a long history.
    import time_machine

    start = timezone.now() - (HISTORY_SESSION_GAP * 2) * (size["sessions"] + 1)
    for session in range(size["sessions"]):
        with time_machine.travel(start + HISTORY_SESSION_GAP * 2 * session, tick=False):
            client.force_login(auditor)
            client.post(autosave, post_data(client, audit, today, f"session {session}"))
    client.force_login(auditor)
    results = {
        "form page": timed("form", lambda: client.get(edit)),
        "autosave": timed("autosave", lambda: client.post(autosave, post_data(client, audit, today, "again"))),
    }
    submit = reverse("audits:audit_submit", args=[audit.pk])
    data = post_data(client, audit, today, "final")
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.post(submit, data)
        results["submit"] = ((time.perf_counter() - started) * 1000, len(ctx))
    assert response.status_code == 302, response.content[:2000]
    results["read-only page"] = timed("detail", lambda: client.get(reverse("audits:audit_detail", args=[audit.pk])))
    results["history page"] = timed("history", lambda: client.get(reverse("audits:audit_history", args=[audit.pk])))
    print(
        f"\n{label}: {size['areas']} practice areas, {size['actions']} actions, "
        f"{size['staff']} staff in the owner list, {size['sessions']} earlier editing sessions"
    )
    for name, (ms, queries) in results.items():
        print(f"  {name:<15} {ms:8.1f} ms  {queries:3d} queries")
    return results


def main() -> int:
    measured = {}
    for label, size in SIZES.items():
        with throwaway_database(f"bench-form-{label}"):
            if label == "small":
                print(f"Database: {connection.vendor}; best of {REPEAT} runs for pages and autosave")
            measured[label] = measure(label, size)
    for page in ("form page", "read-only page", "history page"):
        small, large = measured["small"][page][1], measured["large"][page][1]
        if large > small:
            print(f"FAIL: {page} queries grew from {small} to {large}")
            return 1
    print("\nPage query counts do not grow with areas, actions, staff or history.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
