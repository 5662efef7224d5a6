"""Writes for moderation: sampling, assignment, re-grading, finalisation and the third check.

Sampling happens as audits arrive (`moderation_consider`, called by `audit_submit`
inside its transaction), so moderators can start while the month is still open.
The outcome of a moderation is derived from the two grades, never typed, and the
final grade is always decided by `audits.grading.audit_set_final_grade`.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from actions.services import action_create
from audits.grading import audit_set_final_grade
from audits.models import GRADE_RANK, NOT_GRADED, AreaGrade, AreaGradeChoice, Audit, Grade, Policy, Theme, ThemeKind
from audits.theme_services import ThemeError, audit_themes_set
from common.data_version import data_version_bump
from common.errors import ApplicationError
from moderation.models import ModeratedAreaGrade, Moderation
from moderation.selectors import moderators_by_load
from people.models import User
from qa_portal.celery import enqueue

logger = logging.getLogger(__name__)


class ModerationError(ApplicationError):
    """A moderation change that the rules do not allow; the message is shown to the user."""


class ModerationConflict(ModerationError):
    """Someone else changed the moderation first (recorded it, reassigned or removed it)."""


def sample_score(*, audit: Audit) -> int:
    """A stable number from 0 to 9999 for the audit, so the random part of the sample is reproducible.

    It depends only on the audit's id and allocation month, never on `random()` or the clock,
    so asking again (or re-running a month) always gives the same answer.
    """
    digest = hashlib.sha256(f"moderation-sample:{audit.pk}:{audit.month:%Y-%m}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10000


def sample_reason_for(*, audit: Audit, policy: Policy) -> str | None:
    """Which sampling rule (if any) picks this submitted audit; mandatory rules take precedence.

    The audit's programme says how much is moderated: a sample (its own percentage, or the policy's),
    every audit, or none at all (then not even the mandatory rules apply).
    """
    programme = audit.programme
    if programme.moderation_rule == programme.ModerationRule.NONE:
        return None
    if policy.sample_all_inadequate and audit.auditor_grade == Grade.INADEQUATE:
        return Moderation.SampleReason.INADEQUATE
    if policy.sample_all_at_risk and audit.at_risk:
        return Moderation.SampleReason.AT_RISK
    if policy.new_auditor_threshold:
        # Submitted audits before this one; a returned audit sent back and resubmitted counts once.
        earlier = Audit.objects.returned().filter(auditor_id=audit.auditor_id).exclude(pk=audit.pk).count()
        if earlier < policy.new_auditor_threshold:
            return Moderation.SampleReason.NEW_AUDITOR
    if random_sample_picks(audit=audit, percent=programme.moderation_percent(policy.sample_percent)):
        return Moderation.SampleReason.RANDOM
    return None


def random_sample_picks(*, audit: Audit, percent: int) -> bool:
    """Whether the percentage sample takes this audit, keeping the month's share on target as audits arrive.

    A hash alone would give 25 % only on average: in a month of 40 audits it could as easily
    give 5 as 15. So the month's random draws so far (r) are held within one of `percent` of
    its returned audits so far (n, this one included): below floor(n * p) the audit is taken;
    at or above ceil(n * p) it is not; in between, its stable score decides. Which audits
    are taken stays unpredictable to auditors, the share stays exact, and the same arrivals
    always give the same sample. A draw the QA team later removed still counts as drawn, so
    removing one does not pull the next audit in.
    """
    if percent <= 0:
        return False
    if percent >= 100:
        return True
    # Each programme's sample is drawn on its own: a themed audit's returns do not shift the monthly audit's share.
    returned = Audit.objects.returned().filter(month=audit.month, programme_id=audit.programme_id).count()
    drawn = Moderation.objects.filter(
        audit__month=audit.month,
        audit__programme_id=audit.programme_id,
        sample_reason=Moderation.SampleReason.RANDOM,
    ).count()
    exact = returned * percent
    floor, ceiling = exact // 100, -(-exact // 100)
    if drawn < floor:
        return True
    if drawn >= ceiling:
        return False
    return sample_score(audit=audit) < percent * 100


def moderator_candidates(*, audit: Audit) -> list[User]:
    """Active moderators who may moderate this audit, least loaded first for the audit's month.

    Never the auditor, the child's social worker, or the manager or head of service of the
    audit's team (a conflict of interest). Load and tie-breaks: `moderators_by_load`.
    """
    return list(moderators_by_load(audit.month, for_auditor_id=audit.auditor_id).exclude(pk__in=_conflicted(audit)))


def _conflicted(audit: Audit) -> set[int]:
    """People who must not moderate the audit: its auditor, the social worker, the team's manager and head."""
    people = {audit.auditor_id, audit.social_worker_id, audit.team.manager_id, audit.team.head_of_service_id}
    people.discard(None)
    return people


def moderator_choose(*, audit: Audit) -> User | None:
    """Pick the moderator for a sampled audit: the auditor's moderator this month, else the least loaded.

    Load is counted in auditors, because the QA team plans capacity as a ratio of auditors to
    moderators (`Policy.auditors_per_moderator`, about 3). Keeping an auditor with one moderator
    for the month holds each moderator to a small set of auditors, and least-loaded-first
    spreads new auditors evenly, so nobody passes the ratio while anyone else is below it.
    When everyone is at the ratio the least loaded still gets the audit, because a late
    moderation is worse than an uneven one; the sample page shows who is over capacity.
    """
    candidates = moderator_candidates(audit=audit)
    for moderator in candidates:
        if moderator.has_this_auditor:
            return moderator
    return candidates[0] if candidates else None


def _due_on(policy: Policy) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=policy.moderation_days)


@transaction.atomic
def moderation_consider(*, audit: Audit) -> Moderation | None:
    """Apply the sampling rules to a just-submitted audit; return its moderation if it is sampled.

    Idempotent: an audit considered before (for example, resubmitted after a send-back)
    keeps its first decision, and a moderation the QA team removed is not recreated.
    """
    existing = Moderation.objects.filter(audit=audit).first()
    if existing is not None:
        return None if existing.status == Moderation.Status.REMOVED else existing
    policy = Policy.current()
    reason = sample_reason_for(audit=audit, policy=policy)
    if reason is None:
        return None
    return _moderation_create(audit=audit, reason=reason, policy=policy)


def _moderation_create(*, audit: Audit, reason: str, policy: Policy) -> Moderation:
    moderator = moderator_choose(audit=audit)
    try:
        # A savepoint, so a concurrent consider of the same audit loses cleanly to the unique audit link.
        with transaction.atomic():
            return Moderation.objects.create(
                audit=audit,
                sample_reason=reason,
                moderator=moderator,
                assigned_at=timezone.now() if moderator else None,
                due_on=_due_on(policy) if moderator else None,
            )
    except IntegrityError:
        return Moderation.objects.get(audit=audit)


def moderator_is_eligible(*, moderator: User, audit: Audit) -> bool:
    """The same conflict-of-interest rules as automatic assignment, for a hand-picked moderator."""
    if not (moderator.is_moderator and moderator.is_active):
        return False
    return moderator.pk not in _conflicted(audit)


# The QA team's hand changes to the sample.


@transaction.atomic
def moderation_add_manual(*, audit: Audit, by: User) -> Moderation:
    """Add a returned audit to the sample by hand (reason MANUAL), or bring back one that was removed.

    A moderation brought back keeps the reason it was first drawn for (say, graded Inadequate),
    which stays true, and keeps the month's random-sample count as it was.
    """
    if not audit.is_returned:
        raise ModerationError("Only a submitted audit can be moderated.", field="audit")
    policy = Policy.current()
    existing = Moderation.objects.select_for_update().filter(audit=audit).first()
    if existing is None:
        return _moderation_create(audit=audit, reason=Moderation.SampleReason.MANUAL, policy=policy)
    if existing.status != Moderation.Status.REMOVED:
        raise ModerationError(f"{audit} is already in the moderation sample.", field="audit")
    moderator = moderator_choose(audit=audit)
    existing.status = Moderation.Status.ASSIGNED
    existing.moderator = moderator
    existing.assigned_at = timezone.now() if moderator else None
    existing.due_on = _due_on(policy) if moderator else None
    existing.version += 1
    existing.save()
    return existing


@transaction.atomic
def moderation_remove(*, moderation: Moderation, by: User, expected_version: int | None = None) -> Moderation:
    """Take an audit out of the sample before it is moderated; a recorded moderation stays."""
    claimed = _claim(moderation=moderation, expected_version=expected_version)
    if not claimed:
        raise ModerationConflict("This audit has already been moderated or changed, so it cannot be removed.")
    moderation.refresh_from_db()
    moderation.status = Moderation.Status.REMOVED
    moderation.save()
    return moderation


@transaction.atomic
def moderation_reassign(
    *, moderation: Moderation, moderator: User, by: User, expected_version: int | None = None
) -> Moderation:
    """Give a not-yet-moderated audit to another moderator, with a fresh due date.

    The version bump means a moderator who still has the form open is told, on submit,
    that the audit is no longer theirs, and their text is shown back to them.
    """
    audit = Audit.objects.select_related("team").get(pk=moderation.audit_id)
    if not moderator_is_eligible(moderator=moderator, audit=audit):
        raise ModerationError(
            f"{moderator} cannot moderate this audit (not an active moderator, or their own or their team's).",
            field="moderator",
        )
    if not _claim(moderation=moderation, expected_version=expected_version):
        raise ModerationConflict("This audit has already been moderated or changed, so it cannot be reassigned.")
    moderation.refresh_from_db()
    moderation.moderator = moderator
    moderation.assigned_at = timezone.now()
    moderation.due_on = _due_on(Policy.current())
    moderation.save()
    return moderation


def _claim(*, moderation: Moderation, expected_version: int | None, moderator: User | None = None) -> bool:
    """Optimistic lock: bump the version only if the moderation is still awaiting moderation as last seen.

    One conditional UPDATE, so of two concurrent writers exactly one sees a row count of 1
    (the database serialises the two UPDATEs; the second finds the condition false).
    """
    condition = Q(pk=moderation.pk, status=Moderation.Status.ASSIGNED)
    if expected_version is not None:
        condition &= Q(version=expected_version)
    if moderator is not None:
        condition &= Q(moderator=moderator)
    return Moderation.objects.filter(condition).update(version=F("version") + 1) == 1


# The moderator's work.


def moderation_outcome(*, auditor_grade: str, moderator_grade: str) -> str:
    """Agreed, upgraded (the moderator's grade is better than the auditor's) or downgraded.

    "Not graded" has no rank: a moderation where either side did not grade moved no grade up or down,
    so it counts as agreed (as a re-audit of a not-graded audit counts in `returned` only).
    """
    if auditor_grade not in GRADE_RANK or moderator_grade not in GRADE_RANK:
        return Moderation.Outcome.AGREED
    auditor_rank = GRADE_RANK[Grade(auditor_grade)]
    moderator_rank = GRADE_RANK[Grade(moderator_grade)]
    if moderator_rank > auditor_rank:
        return Moderation.Outcome.UPGRADED
    if moderator_rank < auditor_rank:
        return Moderation.Outcome.DOWNGRADED
    return Moderation.Outcome.AGREED


@transaction.atomic
def moderation_record(
    *,
    moderation: Moderation,
    moderator: User,
    grade: str,
    rationale: str,
    feedback: str,
    area_grades: Mapping[int, str] | None = None,
    themes: Mapping[str, Sequence[int]] | None = None,
    expected_version: int,
) -> Moderation:
    """Record the moderator's grade, rationale and feedback; the moderator's grade becomes the final grade.

    `area_grades` maps practice-area ids of the audit's template to a grade (optional,
    any subset). `themes` maps "improvement" and "strength" to theme ids: the audit's learning-theme
    tags as the moderator confirms or changes them (every tag kept is marked confirmed by them);
    None leaves the tags alone. Of two moderators submitting at once only one is recorded; the other
    gets ModerationConflict and their form is shown again with what they typed.
    """
    rationale = (rationale or "").strip()
    feedback = (feedback or "").strip()
    audit = Audit.objects.select_related("team", "programme").get(pk=moderation.audit_id)
    if grade not in Grade.values and not (grade == NOT_GRADED and audit.programme.allows_not_graded):
        raise ModerationError("Choose the overall grade.", field="grade")
    if not audit.is_returned:
        raise ModerationError("The audit was sent back to the auditor; moderate it once it is resubmitted.")
    if not audit.auditor_grade:
        raise ModerationError("The audit has no auditor's grade to moderate.")
    outcome = moderation_outcome(auditor_grade=audit.auditor_grade, moderator_grade=grade)
    if outcome != Moderation.Outcome.AGREED and not rationale:
        raise ModerationError(
            "Give a rationale: your grade differs from the auditor's.",
            field="rationale",
        )
    if not feedback:
        raise ModerationError("Write your feedback to the auditor.", field="feedback")
    area_grades = dict(area_grades or {})
    if area_grades:
        valid_areas = set(audit.template.areas.values_list("pk", flat=True))
        if not set(area_grades) <= valid_areas:
            raise ModerationError("A practice area does not belong to this audit's template.")
        if any(value not in AreaGradeChoice.values for value in area_grades.values()):
            raise ModerationError("A practice-area grade is not one of the grades offered.")

    if not _claim(moderation=moderation, expected_version=expected_version, moderator=moderator):
        current = Moderation.objects.select_related("moderator").get(pk=moderation.pk)
        if current.status == Moderation.Status.COMPLETED:
            who = current.moderator or "another moderator"
            raise ModerationConflict(f"{who} recorded a moderation of this audit first; yours was not saved.")
        raise ModerationConflict(
            "This audit was reassigned or removed from the sample while you were working; yours was not saved."
        )

    moderation.refresh_from_db()
    moderation.status = Moderation.Status.COMPLETED
    moderation.grade = grade
    moderation.outcome = outcome
    moderation.rationale = rationale
    moderation.feedback = feedback
    moderation.moderated_on = timezone.localdate()
    moderation.save()
    ModeratedAreaGrade.objects.bulk_create(
        ModeratedAreaGrade(moderation=moderation, area_id=area_id, grade=value)
        for area_id, value in area_grades.items()
    )
    data_version_bump()
    if themes is not None:
        try:
            audit_themes_set(
                audit=audit,
                improvement=themes.get(ThemeKind.IMPROVEMENT, []),
                strength=themes.get(ThemeKind.STRENGTH, []),
                confirmed_by=moderator,
            )
        except ThemeError as exc:  # the whole moderation rolls back with it
            raise ModerationError(str(exc), field="themes_improvement") from exc
    # The final grade is decided in one place, which also tells the Child of Concern workflow.
    audit_set_final_grade(audit=Audit.objects.select_related("moderation", "child", "team").get(pk=audit.pk))

    # The moderation is already committed, so a broker or mail server that is down must not turn the
    # moderator's recorded grade into an error page (a resubmit would only meet "already recorded"): enqueue
    # logs it as an error and `auditor_notified_at` stays empty, so the unsent e-mail can be found.
    enqueue(
        "moderation.tasks.notify_auditor_of_moderation",
        moderation.pk,
        on_failure=lambda: logger.error(
            "Moderation %s: the auditor's e-mail could not be queued and was not sent (auditor_notified_at is empty).",
            moderation.pk,
        ),
    )
    return moderation


# The auditor's finalisation.


@dataclass(frozen=True)
class NewAction:
    """An action the auditor adds when finalising, in the light of the moderator's feedback."""

    description: str
    owner: User
    due_on: datetime.date
    in_care_plan: bool = False
    theme_id: int | None = None  # the learning theme the action works on, if any


@transaction.atomic
def moderation_finalise(
    *,
    moderation: Moderation,
    by: User,
    area_texts: Mapping[int, tuple[str, str]] | None = None,
    strengths: str | None = None,
    improvements: str | None = None,
    new_actions: Sequence[NewAction] = (),
) -> Audit:
    """The auditor acknowledges the feedback and finalises the audit, optionally updating the evidence.

    `area_texts` maps the audit's AreaGrade ids to (evidence, impact); `new_actions` are
    added to the audit's actions (existing actions change on the action tracker, where a
    moved due date needs a reason). Grades are never touched here: the moderator's grade
    stands as the final grade.
    """
    today = timezone.localdate()
    for index, action in enumerate(new_actions):
        if not action.description.strip():
            raise ModerationError("Describe the action.", field=f"actions-{index}-description")
        if not action.owner.is_active:
            raise ModerationError("Choose an owner who is still working here.", field=f"actions-{index}-owner")
        if action.due_on < today:
            raise ModerationError("The due date cannot be in the past.", field=f"actions-{index}-due_on")
    chosen = {action.theme_id for action in new_actions} - {None}
    active = set(Theme.objects.filter(pk__in=chosen, is_active=True).values_list("pk", flat=True)) if chosen else set()
    for index, action in enumerate(new_actions):
        # The form offers active themes only (every row here is a new action); anything else is stale or forged.
        if action.theme_id is not None and action.theme_id not in active:
            raise ModerationError(
                "That learning theme has been retired or removed. Choose another, or no theme.",
                field=f"actions-{index}-theme",
            )
    audit = Audit.objects.get(pk=moderation.audit_id)
    if audit.auditor_id != by.pk:
        raise ModerationError("Only the auditor can finalise their audit.")
    if moderation.status != Moderation.Status.COMPLETED:
        raise ModerationError("This audit has not been moderated yet.")
    now = timezone.now()
    acknowledged = Moderation.objects.filter(
        pk=moderation.pk, status=Moderation.Status.COMPLETED, acknowledged_at__isnull=True
    ).update(acknowledged_at=now, version=F("version") + 1)
    data_version_bump()
    if not acknowledged:
        raise ModerationConflict("This audit has already been finalised.")

    changed_fields = []
    if strengths is not None and strengths != audit.strengths:
        audit.strengths = strengths
        changed_fields.append("strengths")
    if improvements is not None and improvements != audit.improvements:
        audit.improvements = improvements
        changed_fields.append("improvements")
    if area_texts:
        rows = {row.pk: row for row in AreaGrade.objects.filter(audit=audit, pk__in=list(area_texts))}
        if set(rows) != set(area_texts):
            raise ModerationError("A practice area does not belong to this audit.")
        changed_rows = []
        for pk, (evidence, impact) in area_texts.items():
            row = rows[pk]
            if (row.evidence, row.impact) != (evidence, impact):
                row.evidence, row.impact = evidence, impact
                changed_rows.append(row)
        AreaGrade.objects.bulk_update(changed_rows, ["evidence", "impact"])
        data_version_bump()
    for action in new_actions:
        action_create(
            audit=audit,
            description=action.description.strip(),
            owner=action.owner,
            due_on=action.due_on,
            in_care_plan=action.in_care_plan,
            theme_id=action.theme_id,
            reason="Added when finalising after moderation",
        )
    audit.finalised_on = today
    # Bump the audit's optimistic-lock version, so any form still open on the old text is told.
    audit.version += 1
    audit.save(update_fields=[*changed_fields, "finalised_on", "version"])
    return audit


# The Head of Quality's third check ("triple lock").


@transaction.atomic
def moderation_review(*, moderation: Moderation, by: User, agrees: bool, note: str) -> Moderation:
    """Record the Head of Quality's agreement with a moderated audit, or a note where they disagree."""
    note = (note or "").strip()
    if not agrees and not note:
        raise ModerationError("Write a note saying why you do not agree.", field="note")
    updated = Moderation.objects.filter(
        pk=moderation.pk, status=Moderation.Status.COMPLETED, reviewed_at__isnull=True
    ).update(version=F("version") + 1)
    data_version_bump()
    if not updated:
        raise ModerationConflict("This moderation is not awaiting a third check (not moderated, or already reviewed).")
    moderation.refresh_from_db()
    moderation.reviewed_by = by
    moderation.reviewed_at = timezone.now()
    moderation.review_agrees = agrees
    moderation.review_note = note
    moderation.save()
    return moderation
