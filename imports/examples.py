"""Example files in the exact formats (the tracker, the caseload, the staff list): the import pages' downloads,
the round-trip tests and the benchmarks. Names are realistic (a county's towns and teams, usernames like `jsmith`),
so an example looks like what a council's own extract holds."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable

from django.utils import timezone

from caseload.models import LegalStatus
from common.periods import add_months, month_start
from imports.lists import CASELOAD_OPTIONAL, CASELOAD_REQUIRED, STAFF_OPTIONAL, STAFF_REQUIRED
from imports.rows import AREA_PREFIX, AUDIT_OPTIONAL, AUDIT_REQUIRED

TOWNS = ("Cheltenham", "Gloucester", "Stroud", "Tewkesbury", "Cirencester", "Forest of Dean", "Cotswold")
TEAM_KINDS = (
    ("Safeguarding Team", "Children's Social Care"),
    ("Children in Care Team", "Children's Social Care"),
    ("Assessment Team", "Children's Social Care"),
    ("Disabled Children Team", "Children's Social Care"),
    ("Family Support Team", "Early Help"),
    ("Youth Support Team", "Youth Support"),
)
FIRST_NAMES = (
    "Jane", "Priya", "Tom", "Aisha", "Gareth", "Helen", "Mohammed", "Sarah", "Liam", "Grace", "Daniel", "Fatima",
    "Rachel", "Owen", "Chloe", "Imran", "Emma", "Kwame", "Lucy", "Rhys", "Zara", "Peter", "Nadia", "Callum",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Khan", "Jones", "Patel", "Williams", "Brown", "Evans", "Taylor", "Hughes", "Ahmed", "Davies", "Clarke",
    "Walker", "Wright", "Roberts", "Mensah", "Green", "Hall", "Wood", "Begum", "Morgan", "Lewis", "Cooper", "Price",
)  # fmt: skip


def team_names(count: int) -> list[tuple[str, str]]:
    """`count` realistic team names with their service areas: "Cheltenham Safeguarding Team 2"."""
    names = []
    number = 1
    while len(names) < count:
        for kind, area in TEAM_KINDS:
            for town in TOWNS:
                if len(names) < count:
                    names.append((f"{town} {kind} {number}", area))
        number += 1
    return names


def people(count: int, *, seed: int = 1) -> list[tuple[str, str, str]]:
    """`count` distinct people as (username, first name, last name): jsmith, pkhan, jsmith2..."""
    import random

    rnd = random.Random(seed)
    result: list[tuple[str, str, str]] = []
    seen: dict[str, int] = {}
    while len(result) < count:
        first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
        base = (first[0] + last).lower()
        seen[base] = seen.get(base, 0) + 1
        username = base if seen[base] == 1 else f"{base}{seen[base]}"
        result.append((username, first, last))
    return result


def tracker_header(area_slugs: Iterable[str] = ()) -> list[str]:
    return [*AUDIT_REQUIRED, *AUDIT_OPTIONAL, *(AREA_PREFIX + slug for slug in area_slugs)]


def example_tracker(
    count: int,
    *,
    seed: int = 1,
    end_month: datetime.date | None = None,
    area_slugs: Iterable[str] = (),
    teams: int = 40,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A realistic tracker of `count` allocations ending in `end_month` (default: last month), with actions.

    Rows are text exactly as a council's CSV holds them. The same seed gives the same rows, so the
    upload page's example download, the round-trip test and `bench/bench_import.py` share one generator.
    """
    import random

    rnd = random.Random(seed)
    today = timezone.localdate()
    if end_month is None:
        end_month = add_months(month_start(today), -1)
    area_slugs = list(area_slugs)
    team_area = dict(team_names(teams))
    team_names_ = list(team_area)
    n_auditors, n_moderators = max(2, teams * 5), max(2, teams // 2)
    staff = [username for username, _, _ in people(n_auditors + n_moderators + teams, seed=seed)]
    auditors = staff[:n_auditors]
    moderators = staff[n_auditors : n_auditors + n_moderators]
    owners = staff[n_auditors + n_moderators :]
    per_month = max(1, min(count, teams * 20))
    months = max(1, -(-count // per_month))
    statuses = list(LegalStatus.values)
    grades = ["OUTSTANDING", "GOOD", "RI", "INADEQUATE"]
    grade_weights = [10, 35, 40, 15]
    yes_no = ["yes", "no", ""]
    feedback = ["positive", "mixed", "negative", ""]
    audits: list[dict[str, str]] = []
    actions: list[dict[str, str]] = []

    def cap(day: datetime.date) -> datetime.date:
        return min(day, today)

    for i in range(count):
        month_index = months - 1 - i // per_month
        month = add_months(end_month, -month_index)
        due = month.replace(day=25)
        team = rnd.choice(team_names_)
        outcome = rnd.choices(["returned", "exempted", "nil_return", "not_ready"], weights=[80, 5, 8, 7])[0]
        row = dict.fromkeys(tracker_header(area_slugs), "")
        row.update(
            audit_ref=f"T{seed}-{i + 1:06d}",
            month=month.strftime("%Y-%m"),
            team=team,
            service_area=team_area[team],
            child_ref=f"CH{rnd.randrange(max(1, count // 3)):06d}",
            legal_status=rnd.choice(statuses),
            auditor=rnd.choice(auditors),
            outcome=outcome,
            due_on=due.isoformat(),
        )
        if outcome in ("returned", "not_ready"):
            submitted = cap(due + datetime.timedelta(days=rnd.randint(-10, 8)))
            grade = rnd.choices(grades, weights=grade_weights)[0]
            row.update(submitted_on=submitted.isoformat(), auditor_grade=grade)
            row["at_risk"] = rnd.choice(["yes", "no"]) if grade == "RI" else "no"
        if outcome == "returned":
            row.update(
                sw_participated=rnd.choice(yes_no),
                manager_participated=rnd.choice(yes_no),
                child_spoken_to=rnd.choice(yes_no),
                parent_spoken_to=rnd.choice(yes_no),
                iro_views=rnd.choice(["yes", "no", "na", ""]),
                child_feedback=rnd.choice(feedback),
                parent_feedback=rnd.choice(feedback),
            )
            for slug in area_slugs:
                row[AREA_PREFIX + slug] = rnd.choice([*grades, "NA"])
            final = row["auditor_grade"]
            moderated_on = None
            if rnd.random() < 0.25:
                moderated_on = cap(submitted + datetime.timedelta(days=rnd.randint(1, 12)))
                final = rnd.choices(grades, weights=grade_weights)[0]
                row.update(
                    moderator=rnd.choice(moderators),
                    moderator_grade=final,
                    moderated_on=moderated_on.isoformat(),
                )
                if rnd.random() < 0.7:
                    row["finalised_on"] = cap(moderated_on + datetime.timedelta(days=rnd.randint(0, 10))).isoformat()
            if final == "INADEQUATE" and rnd.random() < 0.6:
                raised = submitted if row["auditor_grade"] == "INADEQUATE" or moderated_on is None else moderated_on
                row["coc_resolved_on"] = cap(raised + datetime.timedelta(days=rnd.randint(3, 30))).isoformat()
            for n in range(rnd.choice([0, 1, 1, 2])):
                action_due = submitted + datetime.timedelta(days=rnd.randint(14, 90))
                completed = ""
                if rnd.random() < 0.6:
                    completed = cap(action_due + datetime.timedelta(days=rnd.randint(-20, 20))).isoformat()
                actions.append(
                    {
                        "action_ref": f"{row['audit_ref']}-A{n + 1}",
                        "audit_ref": row["audit_ref"],
                        "description": rnd.choice(
                            ["Update the chronology", "Review the child's plan", "Record management oversight"]
                        ),
                        "owner": rnd.choice(owners),
                        "due_on": action_due.isoformat(),
                        "completed_on": completed,
                    }
                )
        elif outcome == "exempted":
            row["exemption_reason"] = rnd.choice(["Extended absence", "Moderating this month", "Other QA activity"])
        audits.append(row)
    return audits, actions


def tracker_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    """Rows as CSV text in the tracker format (the header from the first row unless given)."""
    out = io.StringIO(newline="")
    fieldnames = header or (list(rows[0]) if rows else tracker_header())
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def example_caseload(count: int, *, seed: int = 1, teams: int = 12, staff: int = 30) -> list[dict[str, str]]:
    """A caseload extract of `count` open (and a few closed) children, as text, in contracts.md section 4's format.

    Its social workers are people of `example_staff(staff, seed=seed)`."""
    import random

    rnd = random.Random(seed)
    today = timezone.localdate()
    named = team_names(teams)
    workers = [username for username, _, _ in people(staff, seed=seed)]
    flags = ["no_plan", "repeat_cp", "plo", "missing_episodes", "exploitation_risk", "edge_of_care", "uasc"]
    rows = []
    for i in range(count):
        team, area = rnd.choice(named)
        opened = today - datetime.timedelta(days=rnd.randint(20, 2500))
        closed = ""
        if rnd.random() < 0.03:
            closed = (opened + datetime.timedelta(days=rnd.randint(10, (today - opened).days))).strftime("%d/%m/%Y")
        rows.append(
            {
                "case_ref": f"MOS{100000 + i * 7 + seed:07d}",
                "team": team,
                "service_area": area,
                "legal_status": rnd.choice(list(LegalStatus.values)),
                "social_worker": rnd.choice(workers) if rnd.random() < 0.95 else "",
                # Councils' extracts hold UK dates.
                "opened_on": opened.strftime("%d/%m/%Y"),
                "closed_on": closed,
                "flags": "; ".join(sorted(rnd.sample(flags, rnd.choice([0, 0, 0, 1, 1, 2])))),
            }
        )
    return rows


def example_staff(count: int, *, seed: int = 1, teams: int = 12) -> list[dict[str, str]]:
    """A staff list of `count` people (auditors, managers, moderators, QA), in contracts.md section 4's format."""
    import random

    rnd = random.Random(seed)
    named = [name for name, _ in team_names(teams)]
    rows = []
    for i, (username, first, last) in enumerate(people(count, seed=seed)):
        suffix = username.lstrip("abcdefghijklmnopqrstuvwxyz")
        roles = ["auditor"]
        manages = ""
        if i < teams:
            roles = ["manager", "auditor"]
            manages = named[i]
        elif i == teams:
            roles = ["manager"]
            manages = "; ".join(named[: max(1, teams // 2)])
        elif i % 15 == 0:
            roles = ["moderator", "auditor"]
        elif i % 40 == 1:
            roles = ["quality"]
        fte = rnd.choice(["1", "1", "1", "0.8", "0.6", "0.5"])
        rows.append(
            {
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}.{last.lower()}{suffix}@gloucestershire.gov.uk",
                "team": named[i % len(named)] if "quality" not in roles else "",
                "manages": manages,
                "roles": "; ".join(roles),
                "fte": fte,
                "audits_per_month": "2" if fte == "1" and rnd.random() < 0.2 else "1",
                "active": "yes",
            }
        )
    return rows


def list_header(kind: str) -> list[str]:
    if kind == "caseload":
        return [*CASELOAD_REQUIRED, *CASELOAD_OPTIONAL]
    return [*STAFF_REQUIRED, *STAFF_OPTIONAL]
