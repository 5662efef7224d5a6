"""Early Help's own audits, reported apart from Children's Social Care (seed 000, Gloucestershire).

Gloucestershire audits its Early Help and Youth Support files with their own methodology and reports them
as sections of their own. The demo's Early Help teams (North and South) get a dip sample of their own last
month: its own four questions, five files audited by auditors from other teams, all returned and graded,
not moderated (the programme's rule). The report scoped to the Early Help service area (all programmes)
then shows them beside Early Help's monthly audits, and the programme's own page shows its returns.

Drawn with its own random generator after everything else, so the monthly audit's demo data, and its
report, are exactly what they were.
"""

from __future__ import annotations

import random

from audits.models import (
    Audit,
    Grade,
    Programme,
)
from caseload.models import Child
from common.periods import add_months, month_end, month_start
from demo.programmes import SampleWords, programme_with_questions_create, returned_sample_create
from demo.state import Demo

NAME = "Early Help dip sample"
SLUG = "early-help-dip-sample"
SERVICE_AREA = "Early Help"
QUESTIONS = [
    (
        "eh-assessment",
        "Early Help assessment",
        "Does the assessment take in the whole family's needs and strengths, with the family's consent?",
    ),
    (
        "team-around-the-family",
        "Family plan and team around the family",
        "Is there a family plan the lead practitioner reviews with the team around the family?",
    ),
    (
        "family-voice",
        "Voice of the child and family",
        "Are the child's and family's own words recorded, and do they shape the plan?",
    ),
    (
        "outcomes-and-step-down",
        "Outcomes, step up and closure",
        "Are outcomes measured, and is stepping up to social care or closing the case decided on evidence?",
    ),
]
# Never Inadequate: the demo raises its Children of Concern before this sample is drawn.
GRADES = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, Grade.OUTSTANDING, Grade.GOOD]
EVIDENCE = {
    Grade.OUTSTANDING: ("The family wrote the plan with the lead practitioner.", "The children are safe and settled."),
    Grade.GOOD: ("The plan is reviewed every six weeks with the school.", "The family has the help it asked for."),
    Grade.REQUIRES_IMPROVEMENT: ("The plan was not reviewed for three months.", "The child's school needs went unmet."),
}
FINDINGS = """Five Early Help files were dip-sampled with the Early Help audit tool.

- Family plans were in place in every file; **one had not been reviewed for three months**.
- The family's own words were recorded well; **the child's less so**."""


def build_early_help_audits(demo: Demo, *, seed: int) -> Programme:
    """Last month's Early Help dip sample, returned and graded; its audits join `demo.audits`."""
    rng = random.Random(seed)
    month = add_months(month_start(demo.today), -1)
    programme, areas = programme_with_questions_create(
        demo,
        name=NAME,
        slug=SLUG,
        kind=Programme.Kind.DIP_SAMPLE,
        starts_on=month,
        ends_on=month_end(month),
        findings=FINDINGS,
        questions=QUESTIONS,
    )
    busy = set(Audit.objects.filter(month=month).values_list("child_id", flat=True))
    children = list(
        Child.objects.filter(team__service_area__name=SERVICE_AREA, is_open=True)
        .exclude(pk__in=busy)
        .select_related("team")
        .order_by("case_ref")
    )
    words = SampleWords(
        child_feedback_comment="Likes the worker who comes to school.",
        parent_feedback="positive",
        strengths="The lead practitioner knows the family well.",
        improvements="Record the child's own words at each visit, not only the parents'.",
        # Their improvement text is about the child's voice: tagged as every returned audit is (demo.themes).
        improvement_theme="Voice of the child",
    )
    returned_sample_create(
        demo,
        rng,
        areas=areas,
        month=month,
        children=children,
        grades=GRADES,
        evidence=EVIDENCE,
        words=words,
        submitted_hour=14,
        manager_share=0.6,
    )
    return programme
