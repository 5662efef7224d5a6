"""The demo authority's people, teams and words: who works where, how each team practises, what auditors write."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from audits.models import Feedback, Grade
from caseload.models import LegalStatus
from moderation.models import Moderation

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
