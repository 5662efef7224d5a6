"""The demo authority that `manage.py seed_demo` builds: people, children and six months of audit history.

Everything is drawn from one seeded random generator, so two runs on empty
databases give the same authority. Dates are relative to the day it runs: the
six months before the current one are history (allocated, returned, moderated,
acted on), and the current month is confirmed with audits still in progress.

Rows are written with `bulk_create` in a few dozen queries, not through the
services one audit at a time: the services would send e-mails (allocation,
moderation, Child of Concern) and take minutes for this much history. To stay
consistent with them the builder
- allocates each month with the real allocation rules (`audits.allocation`);
- sets each final grade by the rule of `audits.grading` (moderator's grade when
  moderation is complete, else the auditor's; tests check every audit);
- raises a Child of Concern for every audit whose grade was ever Inadequate,
  as `actions.services.child_of_concern_evaluate` would;
- stamps every `*_at` guard of a reminder or notification whose moment has
  passed, as if it had been sent then, so the daily jobs do not e-mail the
  whole history on their first run.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db.models import Model

from actions.models import Action, ChildOfConcern, ConcernReview
from actions.workdays import add_working_days, is_working_day
from audits.allocation import allocate, due_date
from audits.allocation_selectors import allocation_inputs
from audits.models import (
    GRADE_RANK,
    AreaGrade,
    AreaGradeChoice,
    Audit,
    Child,
    Exemption,
    Feedback,
    Grade,
    IroViews,
    LegalStatus,
    MonthPlan,
    Policy,
    PracticeArea,
    ProposedAllocation,
    SendBack,
    TemplateVersion,
)
from audits.periods import add_months, month_end, month_start
from moderation.models import ModeratedAreaGrade, Moderation
from people.models import ServiceArea, Team, User

SEED = 20261121
PAST_MONTHS = 6
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the four demo sign-ins, refused unless DEBUG.
DEMO_USERNAMES = ("quality", "auditor", "moderator", "manager")
EMAIL_DOMAIN = "demo-council.example"
LONDON = ZoneInfo("Europe/London")
DIRECTORS = ("Claire Whitfield, Director of Children's Services", "Simon Achebe, Director of Operations")

CSC, EARLY_HELP, YOUTH = "Children's Social Care", "Early Help", "Youth Support"
S = LegalStatus

# Team: service area, number of open children, legal-status mix, practice profile.
TEAMS: list[tuple[str, str, int, dict[str, int], str]] = [
    ("Front Door and Assessment", CSC, 26, {S.ASSESSMENT: 7, S.CIN: 2, S.CP: 1}, "weak"),
    ("Safeguarding North", CSC, 24, {S.CP: 5, S.CIN: 4, S.ASSESSMENT: 1}, "average"),
    ("Safeguarding South", CSC, 24, {S.CP: 5, S.CIN: 4, S.ASSESSMENT: 1}, "weak"),
    ("Family Safeguarding East", CSC, 22, {S.CP: 4, S.CIN: 5, S.ASSESSMENT: 1}, "average"),
    ("Children in Care", CSC, 26, {S.CLA: 9, S.CP: 1}, "average"),
    ("Care Leavers", CSC, 20, {S.CARE_LEAVER: 1}, "strong"),
    ("Disabled Children", CSC, 18, {S.CWD: 7, S.CIN: 2, S.CLA: 1}, "strong"),
    ("Court and Permanence", CSC, 18, {S.CLA: 6, S.CP: 4}, "average"),
    ("Early Help North", EARLY_HELP, 20, {S.CIN: 6, S.ASSESSMENT: 4}, "strong"),
    ("Early Help South", EARLY_HELP, 20, {S.CIN: 6, S.ASSESSMENT: 4}, "average"),
    ("Youth Support City", YOUTH, 16, {S.CIN: 5, S.CARE_LEAVER: 3, S.CLA: 2}, "average"),
    ("Youth Justice and Exploitation", YOUTH, 16, {S.CIN: 5, S.CP: 3, S.CLA: 2}, "weak"),
]

# Grade weights (outstanding, good, requires improvement, inadequate) by practice profile. Over the
# twelve teams this gives roughly the seeds' spread: 10 % outstanding, 35 % good, 40 % RI, 15 % inadequate.
GRADE_ORDER = [Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
PROFILE_WEIGHTS = {"strong": (15, 50, 30, 5), "average": (10, 36, 41, 13), "weak": (4, 22, 46, 28)}


@dataclass(frozen=True)
class Person:
    key: str
    username: str
    first_name: str
    last_name: str
    job_title: str
    roles: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    manages: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()
    fte: str = "1.00"
    bimonthly: bool = False
    per_month: int = 1


def _sw(key: str, first: str, last: str, team: str, title: str = "Social Worker", fte: str = "1.00") -> Person:
    return Person(key, f"{first}.{last}".lower(), first, last, title, member_of=(team,), fte=fte)


SAFEGUARDING = ("Front Door and Assessment", "Safeguarding North", "Safeguarding South", "Family Safeguarding East")
IN_CARE = ("Children in Care", "Care Leavers", "Disabled Children", "Court and Permanence")
EH_YS = ("Early Help North", "Early Help South", "Youth Support City", "Youth Justice and Exploitation")

# Forty staff. Team managers and heads of service audit (as in the seeds); moderators do not.
PEOPLE: list[Person] = [
    Person("quality", "quality", "Helen", "Carter", "Head of Quality, Children's Services", ("quality",)),
    Person("qa_officer", "sam.okafor", "Sam", "Okafor", "QA and Advanced Practice Manager", ("quality", "moderator")),
    Person("moderator", "moderator", "Morgan", "Ellis", "Practice Moderator", ("moderator",)),
    Person("ruth", "ruth.adeyemi", "Ruth", "Adeyemi", "Independent Moderator", ("moderator",)),
    Person("graham", "graham.holt", "Graham", "Holt", "Senior Practice Moderator", ("moderator",)),
    Person(
        "hos_safeguarding",
        "priya.nair",
        "Priya",
        "Nair",
        "Head of Service, Assessment and Safeguarding",
        ("manager", "auditor"),
        heads=SAFEGUARDING,
        per_month=2,
    ),
    # Moderates this year, so a standing exemption keeps him out of allocation.
    Person(
        "hos_in_care",
        "mark.bennett",
        "Mark",
        "Bennett",
        "Head of Service, Children in Care",
        ("manager", "auditor", "moderator"),
        heads=IN_CARE,
    ),
    Person(
        "hos_eh_ys",
        "joanne.fox",
        "Joanne",
        "Fox",
        "Head of Early Help and Youth Support",
        ("manager", "auditor"),
        heads=EH_YS,
        per_month=2,
    ),
    Person(
        "manager",
        "manager",
        "Daniel",
        "Price",
        "Team Manager, Safeguarding",
        ("manager",),
        manages=("Safeguarding North", "Safeguarding South"),
    ),
    Person(
        "tm_front_door",
        "lucy.hammond",
        "Lucy",
        "Hammond",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Front Door and Assessment",),
        per_month=2,
    ),
    Person(
        "tm_east",
        "omar.siddiqui",
        "Omar",
        "Siddiqui",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Family Safeguarding East",),
    ),
    Person(
        "tm_in_care",
        "karen.doyle",
        "Karen",
        "Doyle",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Children in Care",),
        per_month=2,
    ),
    Person(
        "tm_leavers", "tom.walsh", "Tom", "Walsh", "Team Manager", ("manager", "auditor"), manages=("Care Leavers",)
    ),
    # On extended leave since September: a standing exemption.
    Person(
        "tm_disabled",
        "fiona.mcleod",
        "Fiona",
        "McLeod",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Disabled Children",),
    ),
    Person(
        "tm_court",
        "gurpreet.kaur",
        "Gurpreet",
        "Kaur",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Court and Permanence",),
        per_month=2,
    ),
    Person(
        "tm_eh_north",
        "ben.thornton",
        "Ben",
        "Thornton",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Early Help North",),
    ),
    Person(
        "tm_eh_south",
        "claire.moss",
        "Claire",
        "Moss",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Early Help South",),
        fte="0.50",
        bimonthly=True,
    ),
    Person(
        "tm_youth",
        "nathan.brooks",
        "Nathan",
        "Brooks",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Youth Support City",),
    ),
    Person(
        "tm_justice",
        "emma.wilde",
        "Emma",
        "Wilde",
        "Team Manager",
        ("manager", "auditor"),
        manages=("Youth Justice and Exploitation",),
    ),
    Person(
        "auditor", "auditor", "Aisha", "Khan", "Advanced Practitioner", ("auditor",), member_of=("Children in Care",)
    ),
    Person(
        "ap_north",
        "james.osei",
        "James",
        "Osei",
        "Advanced Practitioner",
        ("auditor",),
        member_of=("Safeguarding North",),
        per_month=2,
    ),
    Person(
        "ap_eh",
        "natalie.hughes",
        "Natalie",
        "Hughes",
        "Advanced Practitioner",
        ("auditor",),
        member_of=("Early Help South",),
        fte="0.50",
        bimonthly=True,
    ),
    Person(
        "ap_court",
        "peter.lowe",
        "Peter",
        "Lowe",
        "Senior Practitioner",
        ("auditor",),
        member_of=("Court and Permanence",),
    ),
    _sw("sw1", "Hannah", "Briggs", "Front Door and Assessment"),
    _sw("sw2", "Kwame", "Mensah", "Front Door and Assessment", fte="0.50"),
    _sw("sw3", "Sophie", "Turner", "Safeguarding North"),
    _sw("sw4", "Liam", "Gallagher", "Safeguarding North", "Senior Social Worker"),
    _sw("sw5", "Zara", "Hussain", "Safeguarding South"),
    _sw("sw6", "Owen", "Pritchard", "Safeguarding South"),
    _sw("sw7", "Megan", "Ellis", "Family Safeguarding East"),
    _sw("sw8", "Daniel", "Okonkwo", "Children in Care"),
    _sw("sw9", "Rebecca", "Shaw", "Children in Care", "Senior Social Worker"),
    _sw("sw10", "Connor", "Reilly", "Care Leavers", "Personal Adviser"),
    _sw("sw11", "Amira", "Rahman", "Disabled Children"),
    _sw("sw12", "Jack", "Whitmore", "Court and Permanence"),
    _sw("sw13", "Leah", "Patel", "Early Help North", "Family Support Worker"),
    _sw("sw14", "Chloe", "Barker", "Early Help South", "Family Support Worker", fte="0.50"),
    _sw("sw15", "Marcus", "Bell", "Youth Support City", "Youth Worker"),
    _sw("sw16", "Ella", "Fraser", "Youth Support City", "Personal Adviser"),
    _sw("sw17", "Tariq", "Aziz", "Youth Justice and Exploitation", "Youth Justice Worker"),
]

# Short evidence written the way auditors write it, by practice area slug: (stronger practice, weaker practice).
EVIDENCE = {
    "response-to-risk": (
        "Risks were identified quickly and a strategy discussion held the same day.",
        "Police notifications sat for 9 days before any response; risk was not re-assessed.",
    ),
    "assessment": (
        "The assessment is current, analytical and draws on history and the child's own account.",
        "The assessment is descriptive and out of date; it does not weigh the father's role.",
    ),
    "planning": (
        "The plan is SMART, reviewed at every core group and understood by the family.",
        "The plan lists services rather than outcomes and has no timescales.",
    ),
    "intervention": (
        "Direct work with the child is purposeful and recorded; parenting work is showing change.",
        "Visits happen but there is no clear purpose to them and little change for the child.",
    ),
    "review": (
        "Reviews are on time and progress is measured against the plan's outcomes.",
        "The last review was late and did not consider whether the plan was working.",
    ),
    "voice-of-the-child": (
        "The child was seen alone; their wishes are quoted and shaped the plan.",
        "The child has not been seen alone for three months and their views are not recorded.",
    ),
    "management-oversight": (
        "Monthly reflective supervision gives clear direction that is followed up.",
        "Supervision notes are brief and do not challenge drift in the plan.",
    ),
    "permanence": (
        "A permanence plan was agreed at the second review and is on track.",
        "No permanence planning despite the child being looked after for over a year.",
    ),
    "case-recording": (
        "The chronology and case summary are up to date and easy to follow.",
        "There is no up-to-date chronology and the case summary is two years old.",
    ),
}
IMPACT = (
    (
        "The child is safer and says they feel listened to.",
        "School attendance has improved and the child has a trusted adult.",
        "The family understands what needs to change and is making progress.",
    ),
    (
        "The child has waited too long for help and their situation is unchanged.",
        "The child's daily experience is not well understood by the professionals around them.",
        "Drift in the plan means the child remains exposed to the same risks.",
    ),
)
STRENGTHS = (
    "Strong, warm relationship between the social worker and the child.",
    "Good multi-agency working, especially with school and health.",
    "The child's identity and culture are well understood and respected.",
    "Timely, well-evidenced decisions by the team manager.",
    "Creative direct work that helped the child express their feelings.",
)
IMPROVEMENTS = (
    "Update the chronology and case summary.",
    "Make the plan SMART with clear timescales and named owners.",
    "See the child alone and record their wishes and feelings.",
    "Strengthen management oversight with recorded reflective supervision.",
    "Re-assess risk in the light of new information from partners.",
)
ACTION_TEXTS = (
    "Update the chronology and case summary on the child's file.",
    "Hold a core group to make the plan SMART, with outcomes and timescales.",
    "Visit and see the child alone; record their wishes and feelings.",
    "Complete an updated assessment that analyses the father's role.",
    "Record a reflective supervision discussion on the plan's progress.",
    "Refer to the education psychologist and follow up the school's concerns.",
    "Agree a permanence plan at the next review.",
    "Share the plan with the child in a child-friendly format.",
)
COMPLETION_NOTES = (
    "Done; the child's plan now reflects this.",
    "Completed and discussed in supervision.",
    "Done at the core group; the family has a copy.",
)
FEEDBACK_COMMENTS = {
    Feedback.POSITIVE: ("My social worker listens to me.", "We feel supported and know what is happening."),
    Feedback.MIXED: ("Things are better but we have had a lot of changes of worker.", "Sometimes helpful."),
    Feedback.NEGATIVE: ("Nobody tells us what is going on.", "I don't see my worker enough."),
}
MODERATION_FEEDBACK = (
    "A thorough audit with evidence clearly linked to the grades.",
    "Good use of the child's voice. Be more specific about impact on the child's lived experience.",
    "The evidence supports the grade; the actions could be sharper and time-limited.",
)
MODERATION_RATIONALE = {
    Moderation.Outcome.UPGRADED: "The audit under-states the progress: the plan is working and the child is safer.",
    Moderation.Outcome.DOWNGRADED: (
        "The evidence describes drift and unassessed risk, which does not support the auditor's grade."
    ),
}
SEND_BACK_REASONS = (
    "Area grades have no evidence or impact statements; please complete them before resubmitting.",
    "The overall grade does not follow from the area grades; please review and explain.",
)


@dataclass
class ModerationPlan:
    reason: str
    moderator: User
    assigned_on: datetime.date
    grade: str = ""
    moderated_on: datetime.date | None = None
    finalised_on: datetime.date | None = None
    reviewed_on: datetime.date | None = None

    @property
    def completed(self) -> bool:
        return self.moderated_on is not None


@dataclass
class Demo:
    today: datetime.date
    rng: random.Random
    policy: Policy
    template: TemplateVersion
    areas: list[PracticeArea] = field(default_factory=list)
    people: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    profile: dict[int, str] = field(default_factory=dict)
    audits: list[Audit] = field(default_factory=list)
    moderation: dict[int, ModerationPlan] = field(default_factory=dict)
    send_backs: list[SendBack] = field(default_factory=list)
    # Area grades drawn once per audit, so the moderator's area grades start from the same ones.
    area_grades: dict[int, list[tuple[PracticeArea, str]]] = field(default_factory=dict)
    scenario_concern_audit_id: int | None = None
    # Auto-now columns that must show when things happened, not when the demo ran: (model, row, field, value).
    backdates: list[tuple[type[Model], Model, str, datetime.datetime]] = field(default_factory=list)

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)

    def working_day_on_or_after(self, day: datetime.date) -> datetime.date:
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
        return day


def demo_exists() -> bool:
    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def database_has_other_data() -> bool:
    """True when teams, children or audits exist that the demo did not create (a real authority's data)."""
    return Team.objects.exists() or Child.objects.exists() or Audit.objects.exists()


def build_demo(*, today: datetime.date, seed: int = SEED) -> dict[str, int]:
    """Create the whole demo authority (call inside a transaction) and return counts of what was made."""
    template = TemplateVersion.objects.filter(is_current=True).first()
    if template is None:
        raise RuntimeError("No current practice-area template: run the migrations first.")
    demo = Demo(today=today, rng=random.Random(seed), policy=Policy.current(), template=template)
    demo.areas = list(template.areas.all())
    build_people(demo)
    build_children(demo)
    build_standing_exemptions(demo)
    current = month_start(today)
    for offset in range(PAST_MONTHS, -1, -1):
        build_month(demo, add_months(current, -offset))
    build_scenario(demo)
    build_moderations(demo)
    build_area_grades(demo)
    build_send_backs(demo)
    build_actions(demo)
    build_children_of_concern(demo)
    apply_backdates(demo)
    statuses = Counter(audit.status for audit in demo.audits)
    return {
        "service areas": ServiceArea.objects.count(),
        "teams": len(demo.teams),
        "staff": len(demo.people),
        "children": Child.objects.count(),
        "months planned": MonthPlan.objects.count(),
        "audits": len(demo.audits),
        **{f"audits {Audit.Status(s).label.lower()}": n for s, n in sorted(statuses.items())},
        "moderations": Moderation.objects.count(),
        "actions": Action.objects.count(),
        "children of concern": ChildOfConcern.objects.count(),
    }


# People and teams -------------------------------------------------------------------------------------------------


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


# One month of allocation and what became of it --------------------------------------------------------------------


def build_month(demo: Demo, month: datetime.date) -> None:
    """Plan and confirm `month` with the real allocation rules, then play out each audit up to today."""
    rng, today, quality = demo.rng, demo.today, demo.people["quality"]
    confirm_day = min(demo.working_day_on_or_after(month), today)
    plan = MonthPlan.objects.create(
        month=month,
        status=MonthPlan.Status.CONFIRMED,
        seed=rng.randrange(1_000_000),
        proposed_at=demo.at(confirm_day - datetime.timedelta(days=4), 11),
        proposed_by=quality,
        confirmed_at=demo.at(confirm_day, 9, 30),
        confirmed_by=quality,
    )
    inputs = allocation_inputs(month, demo.policy)
    result = allocate(
        rules=inputs.rules,
        auditors=inputs.auditors,
        teams=inputs.teams,
        children=inputs.children,
        reaudits=inputs.reaudits,
        seed=plan.seed,
    )
    ProposedAllocation.objects.bulk_create(
        ProposedAllocation(
            plan=plan, auditor_id=line.auditor_id, child_id=line.child_id, kind=line.kind, reason=line.reason
        )
        for line in result.lines
    )
    children = Child.objects.select_related("team").in_bulk([line.child_id for line in result.lines])
    due_on = due_date(month, demo.policy.due_day)
    audits = []
    for line in result.lines:
        child = children[line.child_id]
        audits.append(
            Audit(
                month=month,
                plan=plan,
                auditor_id=line.auditor_id,
                child=child,
                team=child.team,
                service_area_id=child.team.service_area_id,
                legal_status=child.legal_status,
                social_worker_id=child.social_worker_id,
                template=demo.template,
                due_on=due_on,
                kind=line.kind,
                allocation_reason=line.reason,
                contact_child=True,
                contact_parents=child.legal_status != LegalStatus.CARE_LEAVER,
                contact_iro=child.legal_status in (LegalStatus.CP, LegalStatus.CLA),
                # The allocation e-mail went out when the month was confirmed.
                allocation_notified_at=demo.at(confirm_day, 9, 35),
            )
        )
    exempted = _month_exemption(demo, month, audits, confirm_day)
    for audit in audits:
        if audit is not exempted:
            _play_out(demo, audit, confirm_day)
    audits = Audit.objects.bulk_create(audits)
    demo.audits.extend(audits)
    for audit in audits:
        demo.backdates.append((Audit, audit, "created_at", demo.at(confirm_day, 9, 30)))
    _link_pending_rows(demo, audits)


def _month_exemption(demo: Demo, month: datetime.date, audits: list[Audit], confirm_day: datetime.date) -> Audit | None:
    """Most months someone is exempted after confirmation (illness, other QA work), approved by a director."""
    rng = demo.rng
    candidates = [a for a in audits if a.auditor_id != demo.people["auditor"].pk]
    granted_on = confirm_day + datetime.timedelta(days=rng.randint(5, 12))
    if not candidates or rng.random() > 0.8 or granted_on >= demo.today:
        return None
    audit = rng.choice(candidates)
    reason = rng.choice([Exemption.Reason.ABSENCE, Exemption.Reason.OTHER_QA, Exemption.Reason.OTHER])
    director = rng.choice(DIRECTORS)
    exemption = Exemption.objects.create(
        user_id=audit.auditor_id,
        kind=Exemption.Kind.SINGLE_MONTH,
        month=month,
        reason=reason,
        detail={"absence": "Sick leave.", "other_qa": "Leading a thematic audit this month."}.get(
            reason, "Court week."
        ),
        approved_by=director,
        created_by=demo.people["quality"],
    )
    demo.backdates.append((Exemption, exemption, "created_at", demo.at(granted_on, 14)))
    audit.status = Audit.Status.EXEMPTED
    audit.exemption = exemption
    # The same wording exemption_grant writes, so the appendix reads alike for demo and real exemptions.
    audit.exemption_reason = f"{exemption.get_reason_display()} (approved by {director})"
    return audit


def _play_out(demo: Demo, audit: Audit, confirm_day: datetime.date) -> None:
    """Decide what happened to one allocation by today: submitted (on time or late), sent back, or not yet."""
    rng, today, month = demo.rng, demo.today, audit.month
    nil_after = month_end(month) + datetime.timedelta(days=demo.policy.nil_return_days_after_month)
    is_current = month == month_start(today)
    roll = rng.random()
    if is_current:
        # This month: a few audits are already in; the rest are being worked on.
        if roll < 0.25 and audit.auditor_id != demo.people["auditor"].pk:
            first_day, last_day = confirm_day + datetime.timedelta(days=5), today - datetime.timedelta(days=1)
            if first_day <= last_day:
                submitted = first_day + datetime.timedelta(days=rng.randint(0, (last_day - first_day).days))
                _submit(demo, audit, submitted)
                return
        _leave_in_progress(demo, audit)
        return
    if audit.auditor_id == demo.people["auditor"].pk:
        # The demo auditor's own history is tidy (returned on time or late), so their home page shows this
        # month's work rather than old loose ends.
        roll = 0.11 + roll * 0.89
    if roll < 0.05:
        outcome = "nil"
    elif roll < 0.08:
        outcome = "sent_back"
    elif roll < 0.11:
        outcome = "sent_back_resubmitted"
    elif roll < 0.30:
        outcome = "late"
    else:
        outcome = "on_time"
    if outcome == "nil":
        submitted = None
    elif outcome == "late":
        submitted = audit.due_on + datetime.timedelta(days=rng.randint(1, 14))
    else:
        earliest = confirm_day + datetime.timedelta(days=7)
        submitted = earliest + datetime.timedelta(days=rng.randint(0, max(0, (audit.due_on - earliest).days)))
    if submitted is None or submitted >= today:
        if today > nil_after:
            audit.status = Audit.Status.NIL_RETURN
            _stamp_due_reminders(demo, audit)
        else:
            _leave_in_progress(demo, audit)
        return
    if outcome.startswith("sent_back"):
        sent_back_on = submitted + datetime.timedelta(days=2)
        resubmitted = sent_back_on + datetime.timedelta(days=rng.randint(3, 7))
        if sent_back_on < today:
            _fill_audit(demo, audit)
            audit.status = Audit.Status.SENT_BACK
            audit.submitted_on, audit.submitted_at = submitted, demo.at(submitted, 15)
            # The audit has no id yet; bulk_create fills audit_id from it once it has (build_send_backs).
            send_back = SendBack(
                audit=audit,
                by=demo.people["quality"],
                reason=rng.choice(SEND_BACK_REASONS),
                auditor_notified_at=demo.at(sent_back_on, 11, 5),
            )
            demo.send_backs.append(send_back)
            demo.backdates.append((SendBack, send_back, "at", demo.at(sent_back_on, 11)))
            if outcome == "sent_back_resubmitted" and resubmitted < today:
                send_back.resubmitted_at = demo.at(resubmitted, 16)
                _submit(demo, audit, resubmitted)
            return
    _submit(demo, audit, submitted)


def _leave_in_progress(demo: Demo, audit: Audit) -> None:
    audit.status = Audit.Status.DRAFT
    _stamp_due_reminders(demo, audit)


def _stamp_due_reminders(demo: Demo, audit: Audit) -> None:
    """Reminders before and on the due date went out when they were due (so the daily job does not resend)."""
    before = audit.due_on - datetime.timedelta(days=demo.policy.reminder_days_before_due)
    if before <= demo.today:
        audit.reminded_before_due_at = demo.at(before, 6, 5)
    if audit.due_on <= demo.today:
        audit.reminded_on_due_at = demo.at(audit.due_on, 6, 5)


def _submit(demo: Demo, audit: Audit, submitted: datetime.date) -> None:
    rng = demo.rng
    # Only the reminders that fell before the submission were sent.
    before = audit.due_on - datetime.timedelta(days=demo.policy.reminder_days_before_due)
    audit.reminded_before_due_at = demo.at(before, 6, 5) if before <= submitted else None
    audit.reminded_on_due_at = demo.at(audit.due_on, 6, 5) if audit.due_on <= submitted else None
    _fill_audit(demo, audit)
    audit.status = Audit.Status.SUBMITTED
    audit.submitted_on = submitted
    audit.submitted_at = demo.at(submitted, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    audit.last_saved_at = audit.submitted_at
    audit.version = rng.randint(3, 18)
    audit.final_grade = audit.auditor_grade
    reason = _sample_reason(demo, audit)
    if reason is not None:
        demo.moderation[id(audit)] = _plan_moderation(demo, audit, reason)
        if demo.moderation[id(audit)].completed:
            audit.final_grade = demo.moderation[id(audit)].grade


def _fill_audit(demo: Demo, audit: Audit) -> None:
    """The auditor's grade, participation, feedback and summary, drawn around the team's practice profile."""
    rng = demo.rng
    weights = PROFILE_WEIGHTS[demo.profile[audit.team_id]]
    audit.auditor_grade = rng.choices(GRADE_ORDER, weights=weights)[0]
    audit.at_risk = audit.auditor_grade == Grade.REQUIRES_IMPROVEMENT and rng.random() < 0.25
    audit.sw_participated = rng.random() < 0.93
    audit.manager_participated = rng.random() < 0.85
    has_iro = audit.legal_status in (LegalStatus.CP, LegalStatus.CLA)
    audit.iro_views = (IroViews.YES if rng.random() < 0.65 else IroViews.NO) if has_iro else IroViews.NOT_APPLICABLE
    audit.child_spoken_to = rng.random() < (0.4 if audit.legal_status == LegalStatus.CWD else 0.62)
    audit.parent_spoken_to = audit.legal_status != LegalStatus.CARE_LEAVER and rng.random() < 0.7
    for person in ("child", "parent"):
        if getattr(audit, f"{person}_spoken_to"):
            feedback = rng.choices(list(FEEDBACK_COMMENTS), weights=(55, 30, 15))[0]
            setattr(audit, f"{person}_feedback", feedback)
            setattr(audit, f"{person}_feedback_comment", rng.choice(FEEDBACK_COMMENTS[feedback]))
    audit.strengths = " ".join(rng.sample(STRENGTHS, 2))
    audit.improvements = " ".join(rng.sample(IMPROVEMENTS, 2))


def _sample_reason(demo: Demo, audit: Audit) -> str | None:
    """The moderation sampling rules: every Inadequate, every at-risk RI, and a small random share."""
    if demo.policy.sample_all_inadequate and audit.auditor_grade == Grade.INADEQUATE:
        return Moderation.SampleReason.INADEQUATE
    if demo.policy.sample_all_at_risk and audit.at_risk:
        return Moderation.SampleReason.AT_RISK
    if demo.rng.random() < 0.05:
        return Moderation.SampleReason.RANDOM
    return None


def _plan_moderation(demo: Demo, audit: Audit, reason: str) -> ModerationPlan:
    rng, today = demo.rng, demo.today
    assigned_on = audit.submitted_on + datetime.timedelta(days=1)
    moderated_on = assigned_on + datetime.timedelta(days=rng.randint(2, 13))
    completed = moderated_on < today
    plan = ModerationPlan(reason=reason, moderator=_choose_moderator(demo, audit, completed), assigned_on=assigned_on)
    if not completed:
        return plan
    plan.moderated_on = moderated_on
    rank = GRADE_RANK[Grade(audit.auditor_grade)]
    down_share = 0.3 if audit.at_risk else 0.15
    roll = rng.random()
    if roll < down_share and rank > 1:
        rank -= 1
    elif roll > 0.85 and rank < 4:
        rank += 1
    plan.grade = next(grade for grade, value in GRADE_RANK.items() if value == rank)
    finalised_on = moderated_on + datetime.timedelta(days=rng.randint(2, 12))
    if finalised_on < today and rng.random() < 0.85:
        plan.finalised_on = finalised_on
    reviewed_on = moderated_on + datetime.timedelta(days=rng.randint(3, 10))
    if reviewed_on < today and rng.random() < 0.5:
        plan.reviewed_on = reviewed_on
    return plan


def _choose_moderator(demo: Demo, audit: Audit, completed: bool) -> User:
    """The least-loaded moderator without a conflict of interest (not the auditor, worker, manager or head)."""
    team = audit.team
    conflicted = {audit.auditor_id, audit.social_worker_id, team.manager_id, team.head_of_service_id}
    # The demo moderator's waiting queue is set by build_scenario, so they only get finished ones here.
    keys = (
        ("moderator", "ruth", "graham", "qa_officer", "hos_in_care") if completed else ("ruth", "graham", "qa_officer")
    )
    pool = [demo.people[key] for key in keys if demo.people[key].pk not in conflicted]
    load = Counter(plan.moderator.pk for plan in demo.moderation.values())
    return min(pool, key=lambda user: (load[user.pk], user.pk))


def _link_pending_rows(demo: Demo, audits: list[Audit]) -> None:
    """Moderation plans were made before the audits had ids (keyed by object); key them by id now."""
    for audit in audits:
        plan = demo.moderation.pop(id(audit), None)
        if plan is not None:
            demo.moderation[audit.pk] = plan


# The four demo sign-ins' situations ---------------------------------------------------------------------------------


def build_scenario(demo: Demo) -> None:
    """Make sure each demo sign-in has something to do, whatever the random draws gave.

    - `auditor`: their October audit is returned, sampled and waiting for `moderator`;
      their November audit is still a draft (never submitted early, see _play_out).
    - `moderator`: two or three moderations waiting, that one included.
    - `manager`: an open Child of Concern awaiting the team's response (an October
      audit graded Inadequate a few days ago); overdue actions are ensured in build_actions.
    """
    today, previous = demo.today, add_months(month_start(demo.today), -1)
    moderator, auditor = demo.people["moderator"], demo.people["auditor"]
    latest = [a for a in demo.audits if a.month == previous]

    own = next((a for a in latest if a.auditor_id == auditor.pk), None)
    if own is None:
        raise RuntimeError("The demo auditor has no allocation last month; the allocation rules left them out.")
    _resubmit_for_scenario(demo, own, today - datetime.timedelta(days=8), grade=Grade.REQUIRES_IMPROVEMENT)
    demo.moderation[own.pk] = _pending(demo, own, Moderation.SampleReason.RANDOM, moderator)

    manager_teams = {demo.teams["Safeguarding North"].pk, demo.teams["Safeguarding South"].pk}
    concern = next(
        (a for a in latest if a.team_id in manager_teams and a is not own and a.status != Audit.Status.EXEMPTED), None
    )
    if concern is None:
        raise RuntimeError("No allocation last month in the demo manager's teams to raise a Child of Concern on.")
    _resubmit_for_scenario(demo, concern, today - datetime.timedelta(days=3), grade=Grade.INADEQUATE)
    demo.moderation[concern.pk] = _pending(demo, concern, Moderation.SampleReason.INADEQUATE, demo.people["ruth"])
    demo.scenario_concern_audit_id = concern.pk

    # Two more waiting moderations for `moderator`: the latest returned audits not yet moderated.
    candidates = sorted(
        (
            a
            for a in latest
            if a.status == Audit.Status.SUBMITTED
            and a.pk not in (own.pk, concern.pk)
            and not (demo.moderation.get(a.pk) and demo.moderation[a.pk].completed)
        ),
        key=lambda a: (a.submitted_on, a.pk),
        reverse=True,
    )
    for days_ago, audit in zip((4, 2), candidates[:2], strict=False):
        reason = demo.moderation[audit.pk].reason if audit.pk in demo.moderation else Moderation.SampleReason.RANDOM
        demo.moderation[audit.pk] = _pending(demo, audit, reason, moderator)
        # Passed to `moderator` by the QA team this week, so they are not yet due.
        demo.moderation[audit.pk].assigned_on = max(audit.submitted_on, today - datetime.timedelta(days=days_ago))
        audit.final_grade = audit.auditor_grade
    Audit.objects.bulk_update(
        [own, concern, *candidates[:2]],
        [
            "status",
            "submitted_on",
            "submitted_at",
            "last_saved_at",
            "auditor_grade",
            "at_risk",
            "final_grade",
            "reminded_before_due_at",
            "reminded_on_due_at",
        ],
    )


def _resubmit_for_scenario(demo: Demo, audit: Audit, submitted: datetime.date, grade: str) -> None:
    """Rewrite one audit as returned late on `submitted` with the auditor's `grade`."""
    if not audit.auditor_grade:
        _fill_audit(demo, audit)
    demo.send_backs = [s for s in demo.send_backs if s.audit is not audit]
    audit.status = Audit.Status.SUBMITTED
    audit.submitted_on = submitted
    audit.submitted_at = demo.at(submitted, 16, 20)
    audit.last_saved_at = audit.submitted_at
    audit.auditor_grade, audit.at_risk, audit.final_grade = grade, False, grade
    _stamp_due_reminders(demo, audit)


def _pending(demo: Demo, audit: Audit, reason: str, moderator: User) -> ModerationPlan:
    return ModerationPlan(
        reason=reason, moderator=moderator, assigned_on=audit.submitted_on + datetime.timedelta(days=1)
    )


# Moderation, area grades, actions, Children of Concern ------------------------------------------------------------


def build_moderations(demo: Demo) -> None:
    audits = {a.pk: a for a in demo.audits}
    quality, rng = demo.people["quality"], demo.rng
    rows, finalised = [], []
    for audit_pk, plan in sorted(demo.moderation.items()):
        audit = audits[audit_pk]
        due_on = plan.assigned_on + datetime.timedelta(days=demo.policy.moderation_days)
        row = Moderation(
            audit=audit,
            sample_reason=plan.reason,
            moderator=plan.moderator,
            assigned_at=demo.at(plan.assigned_on, 8, 30),
            due_on=due_on,
        )
        if plan.completed:
            outcome = _outcome(audit.auditor_grade, plan.grade)
            row.status = Moderation.Status.COMPLETED
            row.grade, row.outcome = plan.grade, outcome
            row.rationale = MODERATION_RATIONALE.get(outcome, "")
            row.feedback = rng.choice(MODERATION_FEEDBACK)
            row.moderated_on = plan.moderated_on
            # The auditor was told when the moderation was recorded.
            row.auditor_notified_at = demo.at(plan.moderated_on, 12)
            if plan.finalised_on:
                row.acknowledged_at = demo.at(plan.finalised_on, 15)
                audit.finalised_on = plan.finalised_on
                finalised.append(audit)
            if plan.reviewed_on:
                row.reviewed_by = quality
                row.reviewed_at = demo.at(plan.reviewed_on, 10)
                row.review_agrees = rng.random() < 0.9
                row.review_note = "" if row.review_agrees else "Take to the moderation panel: evidence is thin."
        rows.append(row)
        demo.backdates.append((Moderation, row, "created_at", row.assigned_at))
    Moderation.objects.bulk_create(rows)
    Audit.objects.bulk_update(finalised, ["finalised_on"])

    area_rows = []
    for row in rows:
        if row.status != Moderation.Status.COMPLETED:
            continue
        shift = {Moderation.Outcome.UPGRADED: 1, Moderation.Outcome.DOWNGRADED: -1}.get(row.outcome, 0)
        for area, grade in _area_grades_for(demo, row.audit):
            if grade != AreaGradeChoice.NOT_APPLICABLE and rng.random() < 0.5:
                grade = _shift(grade, shift)
            area_rows.append(ModeratedAreaGrade(moderation=row, area=area, grade=grade))
    ModeratedAreaGrade.objects.bulk_create(area_rows)


def _outcome(auditor_grade: str, moderator_grade: str) -> str:
    auditor, moderator = GRADE_RANK[Grade(auditor_grade)], GRADE_RANK[Grade(moderator_grade)]
    if moderator > auditor:
        return Moderation.Outcome.UPGRADED
    if moderator < auditor:
        return Moderation.Outcome.DOWNGRADED
    return Moderation.Outcome.AGREED


def _shift(grade: str, by: int) -> str:
    rank = min(4, max(1, GRADE_RANK[Grade(grade)] + by))
    return next(g for g, value in GRADE_RANK.items() if value == rank)


def _area_grades_for(demo: Demo, audit: Audit) -> list[tuple[PracticeArea, str]]:
    """Area grades around the overall grade, drawn once per audit and remembered (moderation reuses them)."""
    cache = demo.area_grades
    if audit.pk not in cache:
        permanence_applies = audit.legal_status in (LegalStatus.CLA, LegalStatus.CP, LegalStatus.CARE_LEAVER)
        grades = []
        for area in demo.areas:
            if area.slug == "permanence" and not permanence_applies:
                grades.append((area, AreaGradeChoice.NOT_APPLICABLE))
            else:
                grades.append((area, _shift(audit.auditor_grade, demo.rng.choice((-1, 0, 0, 0, 1)))))
        cache[audit.pk] = grades
    return cache[audit.pk]


def build_area_grades(demo: Demo) -> None:
    rng, rows = demo.rng, []
    for audit in demo.audits:
        if not audit.auditor_grade:
            continue
        for area, grade in _area_grades_for(demo, audit):
            if grade == AreaGradeChoice.NOT_APPLICABLE:
                rows.append(AreaGrade(audit=audit, area=area, grade=grade))
                continue
            weaker = GRADE_RANK[Grade(grade)] <= 2
            stronger, weak_text = EVIDENCE.get(area.slug, ("Practice here is sound.", "Practice here needs work."))
            rows.append(
                AreaGrade(
                    audit=audit,
                    area=area,
                    grade=grade,
                    evidence=weak_text if weaker else stronger,
                    impact=rng.choice(IMPACT[1] if weaker else IMPACT[0]),
                )
            )
    AreaGrade.objects.bulk_create(rows)


def build_send_backs(demo: Demo) -> None:
    SendBack.objects.bulk_create(demo.send_backs)


def build_actions(demo: Demo) -> None:
    """One to three actions per returned audit, tracked to today: on time, late, overdue or not yet due."""
    rng, today = demo.rng, demo.today
    teams = {team.pk: team for team in demo.teams.values()}
    rows = []
    for audit in demo.audits:
        if audit.status != Audit.Status.SUBMITTED:
            continue
        for text in rng.sample(ACTION_TEXTS, rng.randint(1, 3)):
            manager_id = teams[audit.team_id].manager_id
            owner_id = audit.social_worker_id if (rng.random() < 0.7 or not manager_id) else manager_id
            due_on = audit.submitted_on + datetime.timedelta(days=rng.choice((14, 21, 28, 42, 56, 84)))
            action = Action(
                audit=audit,
                description=text,
                owner_id=owner_id or audit.auditor_id,
                due_on=due_on,
                in_care_plan=rng.random() < 0.3,
            )
            roll = rng.random()
            if due_on < today and roll < 0.55:
                done = audit.submitted_on + datetime.timedelta(days=rng.randint(3, (due_on - audit.submitted_on).days))
            elif due_on < today and roll < 0.78:
                done = due_on + datetime.timedelta(days=rng.randint(1, 30))
            elif due_on >= today and roll < 0.3:
                done = audit.submitted_on + datetime.timedelta(days=rng.randint(1, 10))
            else:
                done = None
            if done is not None and done < today:
                action.completed_on, action.completed_by_id = done, action.owner_id
                action.completion_note = rng.choice(COMPLETION_NOTES)
            _stamp_action_reminders(demo, action)
            rows.append(action)
    _ensure_overdue_action_for_manager(demo, rows)
    Action.objects.bulk_create(rows)
    for action in rows:
        demo.backdates.append((Action, action, "created_at", action.audit.submitted_at))


def _stamp_action_reminders(demo: Demo, action: Action) -> None:
    """Stamp each reminder whose day has passed while the action was still open, as the daily job would have."""
    today, policy = demo.today, demo.policy
    done = action.completed_on or datetime.date.max
    before = action.due_on - datetime.timedelta(days=policy.action_reminder_days_before)
    overdue = action.due_on + datetime.timedelta(days=1)
    escalate = action.due_on + datetime.timedelta(days=policy.action_escalation_days + 1)
    action.reminded_before_due_at = demo.at(before, 6, 10) if before <= today and before < done else None
    reminded = overdue <= today and overdue <= done
    action.reminded_overdue_at = demo.at(overdue, 6, 10) if reminded else None
    action.manager_notified_overdue_at = action.reminded_overdue_at
    action.escalated_at = demo.at(escalate, 6, 10) if escalate <= today and escalate <= done else None


def _ensure_overdue_action_for_manager(demo: Demo, rows: list[Action]) -> None:
    manager_teams = {demo.teams["Safeguarding North"].pk, demo.teams["Safeguarding South"].pk}
    mine = [a for a in rows if a.audit.team_id in manager_teams]
    if any(a.completed_on is None and a.due_on < demo.today for a in mine):
        return
    older = [a for a in mine if a.audit.submitted_on < demo.today - datetime.timedelta(days=30)]
    if not older:
        raise RuntimeError("The demo manager's teams have no returned audits a month old to hang an action on.")
    oldest = min(older, key=lambda a: a.due_on)
    oldest.due_on = min(oldest.due_on, demo.today - datetime.timedelta(days=5))
    oldest.completed_on = oldest.completed_by_id = None
    oldest.completion_note = ""
    _stamp_action_reminders(demo, oldest)


def build_children_of_concern(demo: Demo) -> None:
    """A Child of Concern for every audit whose grade was Inadequate when returned or after moderation."""
    rng, today = demo.rng, demo.today
    quality = demo.people["quality"]
    teams = {team.pk: team for team in demo.teams.values()}
    moderations = {m.audit_id: m for m in Moderation.objects.filter(status=Moderation.Status.COMPLETED)}
    rows, reviews = [], []
    for audit in demo.audits:
        if audit.status != Audit.Status.SUBMITTED:
            continue
        moderation = moderations.get(audit.pk)
        if audit.auditor_grade == Grade.INADEQUATE:
            raised_on = audit.submitted_on
        elif audit.final_grade == Grade.INADEQUATE:
            raised_on = moderation.moderated_on
        else:
            continue
        due = add_working_days(raised_on, demo.policy.coc_response_working_days)
        concern = ChildOfConcern(
            audit=audit,
            child_id=audit.child_id,
            trigger=ChildOfConcern.Trigger.INADEQUATE,
            raised_on=raised_on,
            response_due_on=due,
            # The notification e-mail went out when it was raised; stamping it keeps the demo from e-mailing
            # every manager about months-old concerns the first time the worker runs.
            notified_at=demo.at(raised_on, 17),
        )
        if audit.final_grade != Grade.INADEQUATE:
            # Moderation lifted the grade above Inadequate, as child_of_concern_evaluate records.
            concern.grade_lifted_at = demo.at(moderation.moderated_on, 12)
        age = (today - raised_on).days
        roll = rng.random()
        if demo.scenario_concern_audit_id == audit.pk:
            state = "awaiting"
        elif age > 60:
            state = "resolved"
        elif age > 30:
            state = "resolved" if roll < 0.85 else "responded"
        elif age > 7:
            state = "resolved" if roll < 0.2 else "responded" if roll < 0.8 else "awaiting"
        else:
            state = "awaiting" if roll < 0.7 else "responded"
        manager = teams[audit.team_id].manager or teams[audit.team_id].head_of_service
        if state != "awaiting":
            responded_on = min(add_working_days(raised_on, rng.randint(2, 6)), today - datetime.timedelta(days=1))
            concern.status = ChildOfConcern.Status.RESPONDED
            concern.safety_response = "Visited the child the next day; a safety plan is agreed with the family."
            concern.service_offer_response = "Reviewed at the legal gateway panel; the plan is right for the child."
            concern.next_steps_response = "Updated assessment within four weeks; weekly management oversight."
            concern.responded_by = manager
            concern.responded_at = demo.at(responded_on, 14)
            if state == "resolved":
                resolved_on = min(responded_on + datetime.timedelta(days=rng.randint(2, 10)), today)
                concern.status = ChildOfConcern.Status.RESOLVED
                concern.resolved_on, concern.resolved_by = resolved_on, quality
                concern.review_note = "The response gives assurance; re-audit in three months."
                review = ConcernReview(concern=concern, decision=ConcernReview.Decision.RESOLVED, by=quality)
                review.note = concern.review_note
                reviews.append(review)
                demo.backdates.append((ConcernReview, review, "at", demo.at(resolved_on, 11)))
        elif due <= today:
            concern.reminded_at = demo.at(due, 6, 15)
            if due < today:
                concern.escalated_at = demo.at(due + datetime.timedelta(days=1), 6, 15)
        rows.append(concern)
        demo.backdates.append((ChildOfConcern, concern, "raised_at", demo.at(raised_on, 16, 30)))
    ChildOfConcern.objects.bulk_create(rows)
    ConcernReview.objects.bulk_create(reviews)


def apply_backdates(demo: Demo) -> None:
    """`auto_now_add` columns are set to the moment of insert; put back when each thing actually happened."""
    by_model: dict[tuple[type[Model], str], list[Model]] = {}
    for model, row, field_name, value in demo.backdates:
        setattr(row, field_name, value)
        by_model.setdefault((model, field_name), []).append(row)
    for (model, field_name), rows in by_model.items():
        model.objects.bulk_update(rows, [field_name], batch_size=500)
