"""The demo's programmes beside the monthly audit (issue 13): a themed audit's cohort and a past Practice Review Week.

- Caseload flags: about one open child in seven has `no_plan` (an assessment but no plan, as in seed 002), and
  about a fifth of children on a Child Protection plan have `repeat_cp`.
- The themed audit demo/programmes.py builds ("Children in need over 12 months") gets its cohort: the open
  children in need, six of them audited. The QA team can build a `no_plan` cohort of its own from the flags.
- A Practice Review Week two months ago (seed 003): ten children given to auditors, managers and heads of
  service; nine returned with grades (one "not graded": the week allows it), one nil return. Not moderated.

Built through the cohort services (rules, draw, confirm), then the week's returns written in bulk as the rest of
the demo's history is.
"""

from __future__ import annotations

import datetime

from allocation.cohort_services import cohort_confirm, cohort_draw_sample, cohort_save_rules
from allocation.models import Cohort, SampleLine
from audits.grading import audit_final_grade_assign
from audits.models import (
    NOT_GRADED,
    AreaGrade,
    AreaGradeChoice,
    Audit,
    AuditTheme,
    PracticeArea,
    Programme,
    TemplateVersion,
    ThemeKind,
)
from audits.theme_services import themes_ensure
from caseload.models import Child, Flag, LegalStatus
from common.periods import add_months, month_start
from demo.data import IMPACT, STRENGTHS
from demo.state import Demo

WEEK_AREAS = (
    ("voice", "The child's voice", "Do we know what the child thinks and feels?"),
    ("risk", "Risk and need", "Is risk understood and responded to?"),
    ("plan", "Planning", "Is the plan SMART and reviewed?"),
)
WEEK_GRADES = (
    "good",
    "requires_improvement",
    "good",
    "outstanding",
    "requires_improvement",
    "good",
    NOT_GRADED,
    "requires_improvement",
    "good",
)


def _programme(demo: Demo, *, areas, **fields) -> Programme:
    programme = Programme.objects.create(owner=demo.people["quality"], **fields)
    template = TemplateVersion.objects.create(
        programme=programme,
        number=1,
        name=f"{programme.name} questions",
        is_current=True,
        created_by=demo.people["quality"],
    )
    PracticeArea.objects.bulk_create(
        PracticeArea(template=template, slug=slug, name=name, guidance=guidance, order=order)
        for order, (slug, name, guidance) in enumerate(areas)
    )
    return programme


def build_flags(demo: Demo) -> Flag:
    rng = demo.rng
    no_plan = Flag.objects.create(name="no_plan")
    repeat_cp = Flag.objects.create(name="repeat_cp")
    through = Child.flags.through
    rows = []
    for child_id, status in Child.objects.filter(is_open=True).order_by("id").values_list("id", "legal_status"):
        if status in (LegalStatus.ASSESSMENT, LegalStatus.CIN, LegalStatus.CWD) and rng.random() < 0.3:
            rows.append(through(child_id=child_id, flag_id=no_plan.pk))
        if status == LegalStatus.CP and rng.random() < 0.2:
            rows.append(through(child_id=child_id, flag_id=repeat_cp.pk))
    through.objects.bulk_create(rows)
    return no_plan


def build_themed_cohort(demo: Demo, programme: Programme) -> None:
    """The past themed audit's cohort: the open children in need when it ran, six of them audited."""
    quality = demo.people["quality"]
    cohort = cohort_save_rules(programme=programme, by=quality, legal_statuses=[LegalStatus.CIN])
    size = Child.objects.filter(is_open=True, legal_status=LegalStatus.CIN).count()
    when = demo.at(programme.starts_on, 9)
    Cohort.objects.filter(pk=cohort.pk).update(
        status=Cohort.Status.CONFIRMED,
        size_when_drawn=size,
        drawn_at=when,
        drawn_by=quality,
        confirmed_at=when,
        confirmed_by=quality,
    )


def build_practice_week(demo: Demo) -> Programme:
    rng, quality = demo.rng, demo.people["quality"]
    month = add_months(month_start(demo.today), -2)
    monday = month + datetime.timedelta(days=(7 - month.weekday()) % 7 + 7)  # the second Monday
    friday = monday + datetime.timedelta(days=4)
    programme = _programme(
        demo,
        areas=WEEK_AREAS,
        name=f"Practice Review Week {monday:%B %Y}",
        slug=f"practice-review-week-{monday:%Y-%m}",
        kind=Programme.Kind.PRACTICE_WEEK,
        starts_on=monday,
        ends_on=friday,
        moderation_rule=Programme.ModerationRule.NONE,
        allows_not_graded=True,
        findings_summary="Managers and senior leaders audited alongside social workers. Children's voices are "
        "clear in most files; plans are not yet SMART.",
    )
    cohort = cohort_save_rules(programme=programme, by=quality)
    cohort = cohort_draw_sample(cohort=cohort, by=quality, count=len(WEEK_GRADES) + 1, seed=2018)
    # A person who already audits the same child that month in the monthly audit is not given it twice.
    taken = set(Audit.objects.filter(month=month).values_list("child_id", "auditor_id"))
    for line in list(cohort.lines.all()):
        if (line.child_id, line.auditor_id) in taken or line.auditor_id is None:
            SampleLine.objects.filter(pk=line.pk).delete()
    audits = cohort_confirm(cohort=cohort, by=quality)
    for audit, grade in zip(audits, (*WEEK_GRADES, None), strict=False):
        audit.allocation_notified_at = demo.at(monday, 9)
        demo.backdates.append((Audit, audit, "created_at", demo.at(monday - datetime.timedelta(days=7), 9)))
        if grade is None:
            audit.status = Audit.Status.NIL_RETURN
            continue
        submitted = monday + datetime.timedelta(days=rng.randint(0, 4))
        audit.status = Audit.Status.SUBMITTED
        audit.submitted_on, audit.submitted_at = submitted, demo.at(submitted, 15)
        audit.auditor_grade = grade
        audit_final_grade_assign(audit, moderated_grade="")  # the week is not moderated
        audit.sw_participated = audit.manager_participated = True
        audit.iro_views = "na"
        audit.child_spoken_to, audit.child_feedback = True, "positive"
        audit.parent_spoken_to = False
        audit.strengths = rng.choice(STRENGTHS)
        audit.improvements = "Make the plan SMART and review it with the family."
    Audit.objects.bulk_update(
        audits,
        [
            "status",
            "submitted_on",
            "submitted_at",
            "auditor_grade",
            "final_grade",
            "sw_participated",
            "manager_participated",
            "iro_views",
            "child_spoken_to",
            "child_feedback",
            "parent_spoken_to",
            "strengths",
            "improvements",
            "allocation_notified_at",
        ],
    )
    areas = list(PracticeArea.objects.filter(template__programme=programme))
    AreaGrade.objects.bulk_create(
        AreaGrade(
            audit=audit,
            area=area,
            grade=AreaGradeChoice.GOOD
            if audit.final_grade in ("good", "outstanding")
            else (AreaGradeChoice.REQUIRES_IMPROVEMENT),
            evidence="Seen in the file and discussed with the social worker.",
            impact=rng.choice(IMPACT[0]),
        )
        for audit in audits
        if audit.status == Audit.Status.SUBMITTED
        for area in areas
    )
    # The week's improvement text asks for SMART plans: tagged as every returned audit is (demo.themes).
    smart_plans = themes_ensure(names=["SMART plans"])["smart plans"]
    AuditTheme.objects.bulk_create(
        AuditTheme(audit=audit, theme_id=smart_plans, kind=ThemeKind.IMPROVEMENT)
        for audit in audits
        if audit.status == Audit.Status.SUBMITTED
    )
    return programme


def build_programmes(demo: Demo) -> dict[str, int]:
    build_flags(demo)
    week = build_practice_week(demo)
    return {"practice week audits": week.audits.count()}
