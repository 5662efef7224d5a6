"""The demo's people and teams, its children, and the standing exemptions."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password

from allocation.models import Exemption
from caseload.models import Child
from common.periods import add_months, month_start
from demo.data import CSC, DEMO_PASSWORD, DEMO_USERNAMES, EARLY_HELP, EMAIL_DOMAIN, PAST_MONTHS, PEOPLE, TEAMS, YOUTH
from demo.state import Demo
from people.models import ServiceArea, Team, User


def build_people(demo: Demo) -> None:
    areas = {name: ServiceArea.objects.get_or_create(name=name)[0] for name in (CSC, EARLY_HELP, YOUTH)}
    teams = Team.objects.bulk_create(Team(name=name, service_area=areas[area]) for name, area, *_ in TEAMS)
    demo.teams = {team.name: team for team in teams}
    demo.profile = {demo.teams[name].pk: profile for name, *_, profile in TEAMS}

    # One hash for the four demo sign-ins: hashing is deliberately slow, and they share the password anyway.
    demo_hash = make_password(DEMO_PASSWORD)
    users = []
    for person in PEOPLE:
        users.append(
            User(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.first_name}.{person.last_name}@{EMAIL_DOMAIN}".lower(),
                job_title=person.job_title,
                # Only the demo sign-ins can log in; the rest of the staff exist as people to audit and allocate.
                password=demo_hash if person.username in DEMO_USERNAMES else make_password(None),
                is_staff=person.key == "quality",
                is_auditor="auditor" in person.roles,
                is_moderator="moderator" in person.roles,
                is_quality="quality" in person.roles,
                is_manager="manager" in person.roles,
                fte=person.fte,
                audit_frequency=User.AuditFrequency.BIMONTHLY if person.bimonthly else User.AuditFrequency.MONTHLY,
                audits_per_month=person.per_month,
                date_joined=demo.at(datetime.date(2024, 4, 1)),
            )
        )
    users = User.objects.bulk_create(users)
    demo.people = {person.key: user for person, user in zip(PEOPLE, users, strict=True)}

    memberships = []
    for person in PEOPLE:
        user = demo.people[person.key]
        for name in person.member_of + person.manages:
            memberships.append(User.teams.through(user_id=user.pk, team_id=demo.teams[name].pk))
        for name in person.manages:
            demo.teams[name].manager = user
        for name in person.heads:
            demo.teams[name].head_of_service = user
    User.teams.through.objects.bulk_create(memberships)
    Team.objects.bulk_update(demo.teams.values(), ["manager", "head_of_service"])


def build_children(demo: Demo) -> None:
    rng = demo.rng
    refs = rng.sample(range(100000, 999999), sum(size for _, _, size, _, _ in TEAMS))
    caseholders: dict[str, list[User]] = {name: [] for name in demo.teams}
    for person in PEOPLE:
        if "auditor" in person.roles or not person.roles:
            for name in person.member_of:
                caseholders[name].append(demo.people[person.key])
    children = []
    for name, _, size, statuses, _ in TEAMS:
        workers = caseholders[name] or [demo.teams[name].manager]
        for _ in range(size):
            status = rng.choices(list(statuses), weights=list(statuses.values()))[0]
            opened = demo.today - datetime.timedelta(days=rng.randint(60, 5 * 365))
            children.append(
                Child(
                    case_ref=f"C{refs.pop()}",
                    team=demo.teams[name],
                    legal_status=status,
                    social_worker=rng.choice(workers),
                    is_open=True,
                    opened_on=opened,
                )
            )
    Child.objects.bulk_create(children)


def build_standing_exemptions(demo: Demo) -> None:
    quality = demo.people["quality"]
    first_month = add_months(month_start(demo.today), -PAST_MONTHS)
    rows = [
        Exemption(
            user=demo.people["hos_in_care"],
            kind=Exemption.Kind.STANDING,
            reason=Exemption.Reason.MODERATOR,
            detail="Moderates for the QA team this year instead of auditing.",
            starts_on=add_months(first_month, -1),
            created_by=quality,
        ),
        Exemption(
            user=demo.people["tm_disabled"],
            kind=Exemption.Kind.STANDING,
            reason=Exemption.Reason.ABSENCE,
            detail="Extended leave.",
            starts_on=add_months(first_month, 4),
            created_by=quality,
        ),
    ]
    Exemption.objects.bulk_create(rows)
    for row in rows:
        demo.backdates.append((Exemption, row, "created_at", demo.at(row.starts_on - datetime.timedelta(days=3))))
