"""After the audits: moderation, area grades, send-backs, actions and Children of Concern."""

from __future__ import annotations

import datetime

from actions.models import Action, ChildOfConcern, ConcernReview
from actions.services import ConcernFacts, action_build, actions_create_many, children_of_concern_evaluate_many
from audits.models import GRADE_RANK, AreaGrade, AreaGradeChoice, Audit, Grade, PracticeArea, SendBack
from caseload.models import LegalStatus
from common.workdays import add_working_days
from demo.data import ACTION_TEXTS, COMPLETION_NOTES, EVIDENCE, IMPACT, MODERATION_FEEDBACK, MODERATION_RATIONALE
from demo.state import Demo
from moderation.models import ModeratedAreaGrade, Moderation


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
            action = action_build(
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
    actions_create_many(actions=rows)
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
    """A Child of Concern for every audit whose grade was Inadequate when returned or after moderation.

    Raised through the product's rule (`children_of_concern_evaluate_many`), then taken through the team's
    response and the QA team's review as far as the concern's age suggests.
    """
    rng, today = demo.rng, demo.today
    quality = demo.people["quality"]
    teams = {team.pk: team for team in demo.teams.values()}
    moderations = {m.audit_id: m for m in Moderation.objects.filter(status=Moderation.Status.COMPLETED)}
    facts = []
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
        lifted = audit.final_grade != Grade.INADEQUATE
        facts.append(
            ConcernFacts(
                audit=audit,
                raised_on=raised_on,
                # The notification e-mail went out when it was raised; stamping it keeps the demo from e-mailing
                # every manager about months-old concerns the first time the worker runs.
                notified_at=demo.at(raised_on, 17),
                # Moderation lifted the grade above Inadequate, as child_of_concern_evaluate records.
                raised_before=lifted,
                lifted_at=demo.at(moderation.moderated_on, 12) if lifted else None,
            )
        )
    concerns, _ = children_of_concern_evaluate_many(audits=facts, now=demo.at(today, 12))
    reviews = []
    for concern in concerns:
        audit, raised_on, due = concern.audit, concern.raised_on, concern.response_due_on
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
        demo.backdates.append((ChildOfConcern, concern, "raised_at", demo.at(raised_on, 16, 30)))
    ChildOfConcern.objects.bulk_update(
        concerns,
        [
            "status",
            "safety_response",
            "service_offer_response",
            "next_steps_response",
            "responded_by",
            "responded_at",
            "resolved_on",
            "resolved_by",
            "review_note",
            "reminded_at",
            "escalated_at",
        ],
        batch_size=500,
    )
    ConcernReview.objects.bulk_create(reviews)
