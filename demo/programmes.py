"""A past themed audit beside the monthly audit, so a newcomer sees a programme of its own (issue 13).

Children in need for more than 12 months (one of Bradford's themes, seed 002): its own three questions,
six audits three months ago by auditors from other teams, all returned and graded, none moderated (the
programme's rule), and a findings summary. Drawn with its own random generator after everything else, so
the monthly audit's demo data, and its report, are exactly what they were.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from audits.grading import audit_final_grade_assign
from audits.models import (
    AreaGrade,
    Audit,
    AuditTheme,
    Grade,
    IroViews,
    PracticeArea,
    Programme,
    TemplateVersion,
    ThemeKind,
)
from audits.theme_services import themes_ensure
from caseload.models import Child, LegalStatus
from common.periods import add_months, month_start
from demo.state import Demo

NAME = "Children in need over 12 months"
QUESTIONS = [
    (
        "plan-progress",
        "Progress against the plan",
        "Is the child's plan moving on, with outcomes measured at each review?",
    ),
    (
        "step-up-or-down",
        "Step up or step down",
        "Has the team considered stepping the case up to CP or down to Early Help?",
    ),
    (
        "voice-of-the-child",
        "Voice of the child",
        "Is the child seen, heard and understood, and does their voice shape the plan?",
    ),
]
GRADES = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, Grade.OUTSTANDING, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD]
EVIDENCE = {
    Grade.OUTSTANDING: ("Reviews record clear progress against every outcome.", "The child's life has improved."),
    Grade.GOOD: ("The plan is reviewed on time and mostly moving on.", "The family has the help it needs."),
    Grade.REQUIRES_IMPROVEMENT: ("Reviews repeat the same actions without progress.", "Drift leaves needs unmet."),
}
FINDINGS = """Six children who had been on a child in need plan for over a year were audited.

- Plans were reviewed on time in every case, but **two plans had drifted**: the same actions repeated at each review.
- Stepping down to Early Help was considered in only half the files.
- The child's voice was strong where the social worker had known the child for over six months."""


def build_themed_audit(demo: Demo, *, seed: int) -> Programme:
    rng = random.Random(seed)
    today = demo.today
    month = add_months(month_start(today), -3)
    programme, areas = programme_with_questions_create(
        demo,
        name=NAME,
        slug="cin-over-12-months",
        kind=Programme.Kind.THEMED,
        starts_on=month,
        ends_on=add_months(month, 1) - datetime.timedelta(days=1),
        findings=FINDINGS,
        questions=QUESTIONS,
    )

    busy = set(Audit.objects.filter(month=month).values_list("child_id", flat=True))
    children = list(
        Child.objects.filter(legal_status=LegalStatus.CIN, is_open=True)
        .exclude(pk__in=busy)
        .select_related("team")
        .order_by("case_ref")
    )
    words = SampleWords(
        child_feedback_comment="Knows who to call when things go wrong.",
        parent_feedback="",
        strengths="Reviews are held on time and the family engages.",
        improvements="Measure progress against the plan's outcomes at each review.",
        # Their improvement text asks for measurable plans: tagged as every returned audit is (demo.themes).
        improvement_theme="SMART plans",
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
        submitted_hour=15,
        manager_share=0.7,
    )
    return programme


def programme_with_questions_create(
    demo: Demo,
    *,
    name: str,
    slug: str,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    findings: str,
    questions: list[tuple[str, str, str]],
) -> tuple[Programme, list[PracticeArea]]:
    """A past programme owned by the QA team's demo sign-in, not moderated, with its own questions (version 1)."""
    quality = demo.people.get("quality") or next(p for p in demo.people.values() if p.is_quality)
    programme = Programme.objects.create(
        name=name,
        slug=slug,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        owner=quality,
        moderation_rule=Programme.ModerationRule.NONE,
        findings_summary=findings,
    )
    template = TemplateVersion.objects.create(programme=programme, number=1, name=name, is_current=True)
    areas = PracticeArea.objects.bulk_create(
        PracticeArea(template=template, slug=area_slug, name=area_name, guidance=guidance, order=order)
        for order, (area_slug, area_name, guidance) in enumerate(questions, start=1)
    )
    return programme, areas


@dataclass(frozen=True)
class SampleWords:
    """What a demo sample's auditors wrote, the same on each of its audits."""

    child_feedback_comment: str
    parent_feedback: str  # "" when the parents were not spoken to
    strengths: str
    improvements: str
    improvement_theme: str


def returned_sample_create(
    demo: Demo,
    rng: random.Random,
    *,
    areas: list[PracticeArea],
    month: datetime.date,
    children: list[Child],
    grades: list[str],
    evidence: dict[str, tuple[str, str]],
    words: SampleWords,
    submitted_hour: int,
    manager_share: float,
) -> list[Audit]:
    """A programme's sample of `children`, returned and graded `grades` by auditors outside the child's team, with
    every area graded as the audit and the improvement theme tagged; the audits join `demo.audits`."""
    template = areas[0].template
    programme = template.programme
    auditors = sorted((p for p in demo.people.values() if p.is_auditor and p.is_active), key=lambda p: p.username)
    chosen = rng.sample(children, min(len(grades), len(children)))
    due_on = month.replace(day=25)
    audits = []
    own_teams = {auditor.pk: {team.pk for team in auditor.teams.all()} for auditor in auditors}
    for child, grade in zip(chosen, grades, strict=False):
        # The monthly audit's conflict rule: never the child's own team.
        auditor = rng.choice([a for a in auditors if child.team_id not in own_teams[a.pk]] or auditors)
        submitted_on = due_on - datetime.timedelta(days=rng.randint(1, 6))
        audit = Audit(
            programme=programme,
            template=template,
            month=month,
            auditor=auditor,
            child=child,
            team=child.team,
            service_area_id=child.team.service_area_id,
            legal_status=child.legal_status,
            social_worker_id=child.social_worker_id,
            due_on=due_on,
            allocation_reason=programme.name,
            # Told of the allocation and reminded at the time: nothing from the past is left to e-mail.
            allocation_notified_at=demo.at(month),
            reminded_before_due_at=demo.at(due_on - datetime.timedelta(days=3)),
            status=Audit.Status.SUBMITTED,
            submitted_on=submitted_on,
            submitted_at=demo.at(submitted_on, submitted_hour),
            auditor_grade=grade,
            sw_participated=True,
            manager_participated=rng.random() < manager_share,
            iro_views=IroViews.NOT_APPLICABLE,
            child_spoken_to=True,
            child_feedback="positive" if grade != Grade.REQUIRES_IMPROVEMENT else "mixed",
            child_feedback_comment=words.child_feedback_comment,
            parent_spoken_to=bool(words.parent_feedback),
            parent_feedback=words.parent_feedback,
            strengths=words.strengths,
            improvements=words.improvements,
        )
        audit_final_grade_assign(audit, moderated_grade="")  # not moderated: the auditor's grade stands
        audits.append(audit)
    audits = Audit.objects.bulk_create(audits)
    AreaGrade.objects.bulk_create(
        AreaGrade(
            audit=audit,
            area=area,
            grade=audit.auditor_grade,
            evidence=evidence[audit.auditor_grade][0],
            impact=evidence[audit.auditor_grade][1],
        )
        for audit in audits
        for area in areas
    )
    theme = themes_ensure(names=[words.improvement_theme])[words.improvement_theme.lower()]
    AuditTheme.objects.bulk_create(
        AuditTheme(audit=audit, theme_id=theme, kind=ThemeKind.IMPROVEMENT) for audit in audits
    )
    demo.audits.extend(audits)
    return audits
