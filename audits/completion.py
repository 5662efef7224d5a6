"""Completing an audit: drafts, submission, send-back, nil returns and reminders (issue 2/6).

The allocated auditor saves drafts as often as they like (explicitly or by
autosave) and submits once. Every write claims the audit row first with a
conditional UPDATE on its status and version, so two tabs, a double click or a
nightly job racing a submission can never both win; the loser is told why.

A draft is saved without validation: whatever was typed is kept. An action row
needs an owner and a due date, so actions that still lack them wait in
`Audit.pending_actions` until they are complete. Submission applies every rule
in `audit_submission_problems` at once; the form shows the same problems beside
the fields, so the rules live here only.

History: django-simple-history records the audit, its area grades and its
actions. Consecutive draft saves by the same person less than
`HISTORY_SESSION_GAP` apart are merged into one history entry, so the history
page shows editing sessions rather than one entry per autosave.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from audits.grading import audit_set_final_grade
from audits.hooks import audit_form_actions_save, audit_submitted, single_response
from audits.models import NOT_GRADED, AreaGrade, AreaGradeChoice, Audit, Grade, Policy, SendBack, ThemeKind
from audits.theme_services import audit_themes_set
from common.data_version import data_version_bump
from common.errors import ApplicationError
from common.periods import month_start
from people.models import User
from people.permissions import has_role
from qa_portal.celery import enqueue

EDITABLE_STATUSES = (Audit.Status.DRAFT, Audit.Status.SENT_BACK)
HISTORY_SESSION_GAP = datetime.timedelta(minutes=15)
ACTION_GRADES = (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)

REASON_DRAFT = "Draft saved"
REASON_SUBMITTED = "Submitted"
REASON_SENT_BACK = "Sent back"
REASON_NIL_RETURN = "Nil return"

# The audit's own fields that the form edits (everything else is allocation or lifecycle).
AUDIT_FIELDS: tuple[str, ...] = (
    "auditor_grade",
    "at_risk",
    "immediate_concern",
    "immediate_concern_detail",
    "sw_participated",
    "manager_participated",
    "iro_views",
    "child_spoken_to",
    "child_feedback",
    "child_feedback_comment",
    "parent_spoken_to",
    "parent_feedback",
    "parent_feedback_comment",
    "strengths",
    "improvements",
)


class AuditError(ApplicationError):
    """A change to an audit that the rules do not allow; the message is shown to the user."""


class AuditNotEditable(AuditError):
    """The audit is no longer a draft (submitted, nil return...) or belongs to someone else."""

    def __init__(self, message: str, *, audit: Audit | None = None):
        super().__init__(message)
        self.audit = audit


class AuditConflict(AuditError):
    """The audit was saved from another tab or window after this form was opened."""

    def __init__(self, current: Audit):
        saved = timezone.localtime(current.last_saved_at) if current.last_saved_at else None
        when = f" at {dateformat.format(saved, 'H:i')} on {dateformat.format(saved, 'j M Y')}" if saved else ""
        super().__init__(
            f"This audit was saved from another tab or window{when}, after you opened this page. "
            "Your changes are not saved yet."
        )
        self.current = current


@dataclass(frozen=True)
class Problem:
    """One reason an audit cannot be submitted. `field` names the form field it belongs to:
    an audit field ("auditor_grade"), "area-<area id>-<field>", "actions-<row>-<field>", or "actions"."""

    field: str
    message: str


class AuditIncomplete(AuditError):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"The audit cannot be submitted yet: {len(problems)} things need attention.")
        self.problems = problems


@dataclass
class AreaInput:
    area_id: int
    grade: str = ""
    evidence: str = ""
    impact: str = ""


@dataclass
class ActionInput:
    row: int  # position of the row in the form, so a problem points at the right fields
    id: int | None = None
    description: str = ""
    owner: User | None = None
    due_on: datetime.date | None = None
    in_care_plan: bool = False
    delete: bool = False
    theme_id: int | None = None  # the learning theme the action works on, if any

    @property
    def is_blank(self) -> bool:
        return not self.description.strip() and self.owner is None and self.due_on is None and not self.in_care_plan

    @property
    def is_complete(self) -> bool:
        return bool(self.description.strip()) and self.owner is not None and self.due_on is not None

    @property
    def counts(self) -> bool:
        """True for rows that stay on the audit: not removed, and (if new) with something typed in."""
        return not self.delete and (self.id is not None or not self.is_blank)


@dataclass
class AuditInput:
    fields: dict[str, Any]
    areas: list[AreaInput] = field(default_factory=list)
    actions: list[ActionInput] = field(default_factory=list)
    # Learning themes ticked, as theme ids by kind ("improvement", "strength"); None leaves the tags alone.
    themes: dict[str, list[int]] | None = None


@dataclass
class AuditSaved:
    audit: Audit
    # Form row -> the Action id it is now saved as (None: still pending, or removed).
    action_ids: dict[int, int | None]


def audit_areas_ensure(*, audit: Audit) -> list[AreaGrade]:
    """The audit's area grades, one per practice area of ITS template version, creating missing rows.

    Rows are created without history (they are empty); the first save that fills one in is its
    first history entry. Rows of another template version, if any, are never shown or used.
    """
    area_grades = list(audit.area_grades.filter(area__template_id=audit.template_id).select_related("area"))
    have = {ag.area_id for ag in area_grades}
    areas = list(audit.template.areas.all())
    missing = [AreaGrade(audit=audit, area=area) for area in areas if area.pk not in have]
    if not missing:
        return area_grades
    # ignore_conflicts: two tabs opening the audit at once both try to create the rows.
    AreaGrade.objects.bulk_create(missing, ignore_conflicts=True)
    data_version_bump()
    return list(audit.area_grades.filter(area__template_id=audit.template_id).select_related("area"))


def audit_submission_problems(*, audit: Audit, data: AuditInput, today: datetime.date) -> list[Problem]:
    """Everything that stops this audit being submitted, in the order the form shows it."""
    problems: list[Problem] = []
    posted = {item.area_id: item for item in data.areas}
    for area in audit.template.areas.all():
        item = posted.get(area.pk, AreaInput(area_id=area.pk))
        prefix = f"area-{area.pk}"
        if not item.grade:
            problems.append(Problem(f"{prefix}-grade", f"{area.name}: choose a grade, or Not applicable."))
        elif item.grade != AreaGradeChoice.NOT_APPLICABLE:
            if not item.evidence.strip():
                problems.append(Problem(f"{prefix}-evidence", f"{area.name}: give the evidence for the grade."))
            if not item.impact.strip():
                problems.append(
                    Problem(f"{prefix}-impact", f"{area.name}: describe the impact on the child's lived experience.")
                )

    values = data.fields
    grade = values.get("auditor_grade") or ""
    if not grade:
        problems.append(Problem("auditor_grade", "Choose the overall grade."))
    elif grade == NOT_GRADED and not audit.programme.allows_not_graded:
        problems.append(Problem("auditor_grade", f"{audit.programme} audits must be graded: choose a grade."))
    if values.get("at_risk") and grade != Grade.REQUIRES_IMPROVEMENT:
        problems.append(
            Problem(
                "at_risk", "Only an audit graded Requires Improvement can be flagged at risk of becoming inadequate."
            )
        )
    if values.get("immediate_concern") and not (values.get("immediate_concern_detail") or "").strip():
        problems.append(Problem("immediate_concern_detail", "Explain the immediate concern for the child's safety."))

    for name, message in (
        ("sw_participated", "Say whether the social worker took part."),
        ("manager_participated", "Say whether the manager took part."),
        ("iro_views", "Say whether the IRO or CP chair's views were obtained, or that the child has none."),
    ):
        if values.get(name) in (None, ""):
            problems.append(Problem(name, message))
    for person, label in (("child", "the child"), ("parent", "the parent or carer")):
        spoken_to = values.get(f"{person}_spoken_to")
        view = values.get(f"{person}_feedback") or ""
        comment = (values.get(f"{person}_feedback_comment") or "").strip()
        if spoken_to is None:
            problems.append(Problem(f"{person}_spoken_to", f"Say whether {label} was spoken to."))
        elif spoken_to:
            if not view:
                problems.append(Problem(f"{person}_feedback", f"Choose {label}'s view of the service."))
            if not comment:
                problems.append(Problem(f"{person}_feedback_comment", f"Record what {label} said."))
        elif view or comment:
            problems.append(
                Problem(
                    f"{person}_feedback",
                    f"You said {label} was not spoken to: clear their view of the service, or change that answer.",
                )
            )
    if not (values.get("strengths") or "").strip():
        problems.append(Problem("strengths", "Describe the strengths."))
    if not (values.get("improvements") or "").strip():
        problems.append(Problem("improvements", "Describe the areas for improvement."))

    kept = [item for item in data.actions if item.counts]
    if grade in ACTION_GRADES and not kept:
        problems.append(
            Problem("actions", "An audit graded Requires Improvement or Inadequate needs at least one action.")
        )
    completed_ids = set(audit.actions.filter(completed_on__isnull=False).values_list("pk", flat=True))
    for item in kept:
        label = f"Action {item.row + 1}"
        prefix = f"actions-{item.row}"
        if not item.description.strip():
            problems.append(Problem(f"{prefix}-description", f"{label}: describe what needs to happen."))
        if item.owner is None:
            problems.append(Problem(f"{prefix}-owner", f"{label}: choose who owns it."))
        if item.due_on is None:
            problems.append(Problem(f"{prefix}-due_on", f"{label}: give a due date."))
        elif item.due_on <= today and item.id not in completed_ids:
            # An action already completed in the tracker keeps its (past) due date on resubmission.
            problems.append(Problem(f"{prefix}-due_on", f"{label}: the due date must be in the future."))
    return problems


def save_with_history(instance: models.Model, *, by: User | None, reason: str, now: datetime.datetime) -> None:
    """Save the row and record who changed it and why, merging quick successive draft saves.

    A draft autosaves every few seconds while people type. One history entry per autosave
    would bury the real story, so a draft save by the same person within HISTORY_SESSION_GAP
    of their previous draft save updates that entry instead of adding another.
    """
    latest = None
    if reason == REASON_DRAFT and instance.pk is not None:
        latest = instance.history.order_by("-history_date", "-history_id").first()
    same_session = (
        latest is not None
        and latest.history_type == "~"
        and latest.history_change_reason == REASON_DRAFT
        and by is not None
        and latest.history_user_id == by.pk
        and now - latest.history_date < HISTORY_SESSION_GAP
    )
    if same_session:
        instance.save_without_historical_record()
        for tracked in type(latest).tracked_fields:
            setattr(latest, tracked.attname, getattr(instance, tracked.attname))
        latest.history_date = now
        latest.save()
        return
    instance._history_user = by
    instance._change_reason = reason
    instance._history_date = now
    instance.save()


def _audit_claim(*, audit: Audit, by: User, expected_version: int, editor_token: str, now: datetime.datetime) -> Audit:
    """Take the right to write this audit, or raise. Returns the fresh row, locked for the transaction.

    The conditional UPDATE is the lock: it succeeds only while the audit is editable, belongs
    to `by`, and nobody else saved since the form was opened (same version), or the last save
    came from this very tab (same editor token: its own autosave may still have been in flight).
    """
    same_form = Q(version=expected_version)
    if editor_token:
        same_form |= Q(editor_token=editor_token)
    claimed = Audit.objects.filter(same_form, pk=audit.pk, auditor=by, status__in=EDITABLE_STATUSES).update(
        version=F("version") + 1, editor_token=editor_token, last_saved_at=now
    )
    current = Audit.objects.select_for_update().select_related("template", "team").get(pk=audit.pk)
    if claimed:
        return current
    if current.auditor_id != by.pk:
        raise AuditNotEditable("Only the allocated auditor can change this audit.", audit=current)
    if current.status not in EDITABLE_STATUSES:
        raise AuditNotEditable(
            f"This audit is {current.get_status_display().lower()} and can no longer be changed.", audit=current
        )
    raise AuditConflict(current)


def _audit_apply(*, audit: Audit, data: AuditInput, by: User, reason: str, now: datetime.datetime) -> dict:
    """Write the area grades and actions, and set (not save) the audit's own fields and pending actions."""
    for name in AUDIT_FIELDS:
        if name in data.fields:
            setattr(audit, name, data.fields[name])

    area_grades = {ag.area_id: ag for ag in audit_areas_ensure(audit=audit)}
    for item in data.areas:
        area_grade = area_grades.get(item.area_id)
        if area_grade is None:
            continue  # not an area of this audit's template version
        new = (item.grade, item.evidence, item.impact)
        if (area_grade.grade, area_grade.evidence, area_grade.impact) != new:
            area_grade.grade, area_grade.evidence, area_grade.impact = new
            save_with_history(area_grade, by=by, reason=reason, now=now)

    if data.themes is not None:
        audit_themes_set(
            audit=audit,
            improvement=data.themes.get(ThemeKind.IMPROVEMENT, []),
            strength=data.themes.get(ThemeKind.STRENGTH, []),
        )

    # The action rows belong to the actions app, which writes them (hook receiver: actions/apps.py).
    action_ids, pending = single_response(
        audit_form_actions_save, audit=audit, rows=data.actions, by=by, reason=reason, now=now
    )
    audit.pending_actions = pending
    audit.last_saved_at = now
    return action_ids


def audit_save_draft(
    *, audit: Audit, by: User, data: AuditInput, expected_version: int, editor_token: str = ""
) -> AuditSaved:
    """Save whatever has been typed, without validation. Raises AuditConflict or AuditNotEditable."""
    now = timezone.now()
    with transaction.atomic():
        current = _audit_claim(
            audit=audit, by=by, expected_version=expected_version, editor_token=editor_token, now=now
        )
        action_ids = _audit_apply(audit=current, data=data, by=by, reason=REASON_DRAFT, now=now)
        save_with_history(current, by=by, reason=REASON_DRAFT, now=now)
    return AuditSaved(audit=current, action_ids=action_ids)


def audit_submit(
    *, audit: Audit, by: User, data: AuditInput, expected_version: int, editor_token: str = ""
) -> AuditSaved:
    """Validate everything, save it and submit the audit once; then sample it and set its final grade.

    `submitted_on` is the UK date of this submission. After a send-back the resubmission date
    counts: the first return did not meet the standard to be submitted, so it was not a return.
    Raises AuditIncomplete (nothing saved), AuditConflict or AuditNotEditable.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        current = _audit_claim(
            audit=audit, by=by, expected_version=expected_version, editor_token=editor_token, now=now
        )
        problems = audit_submission_problems(audit=current, data=data, today=today)
        if problems:
            raise AuditIncomplete(problems)
        action_ids = _audit_apply(audit=current, data=data, by=by, reason=REASON_SUBMITTED, now=now)
        current.status = Audit.Status.SUBMITTED
        current.submitted_on = today
        current.submitted_at = now
        save_with_history(current, by=by, reason=REASON_SUBMITTED, now=now)
        current.send_backs.filter(resubmitted_at__isnull=True).update(resubmitted_at=now)
        data_version_bump()
        # Moderation samples it (hook receiver: moderation/apps.py), then the final grade is set.
        audit_submitted.send(sender=Audit, audit=current)
        audit_set_final_grade(audit=current)
    return AuditSaved(audit=current, action_ids=action_ids)


def audit_send_back(*, audit: Audit, by: User, reason: str) -> SendBack:
    """The QA team returns a submitted audit as not meeting the standard to be submitted.

    Every send-back is kept. The audit stops counting as returned, so its final grade is
    recomputed (cleared) through the one grading service; the auditor is e-mailed after commit.
    """
    if not has_role(by, "quality"):
        raise AuditError("Only the QA team can send an audit back.")
    reason = reason.strip()
    if not reason:
        raise AuditError("Say why the audit does not meet the standard to be submitted.")
    now = timezone.now()
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.SUBMITTED).update(
            status=Audit.Status.SENT_BACK, version=F("version") + 1
        )
        current = Audit.objects.select_for_update().get(pk=audit.pk)
        if not claimed:
            raise AuditNotEditable(
                f"Only a submitted audit can be sent back; this one is {current.get_status_display().lower()}.",
                audit=current,
            )
        save_with_history(current, by=by, reason=REASON_SENT_BACK, now=now)
        send_back = SendBack.objects.create(audit=current, by=by, reason=reason)
        audit_set_final_grade(audit=current)
        enqueue("audits.tasks.notify_send_back", send_back.pk)
    return send_back


def audits_mark_nil_returns(*, today: datetime.date) -> int:
    """Close drafts never submitted once `Policy.nil_return_days_after_month` days have passed since
    their month ended. Idempotent: a second run finds nothing left to close. Returns how many closed.

    A month's allocations become nil returns on day N after its last day: with N = 10, November's
    on 10 December. Audits sent back and never resubmitted stay "sent back" (the report counts them
    as not meeting the standard, not as nil returns).
    """
    days = Policy.current().nil_return_days_after_month
    # Month m ends on its last day L; L + days <= today  <=>  m < first of the month holding (today - days + 1).
    limit = month_start(today - datetime.timedelta(days=days) + datetime.timedelta(days=1))
    now = timezone.now()
    with transaction.atomic():
        candidates = list(Audit.objects.filter(status=Audit.Status.DRAFT, month__lt=limit).values_list("pk", flat=True))
        if not candidates:
            return 0
        # The status condition loses cleanly to a submission that commits first.
        closed = Audit.objects.filter(pk__in=candidates, status=Audit.Status.DRAFT).update(
            status=Audit.Status.NIL_RETURN, version=F("version") + 1
        )
        closed_rows = list(Audit.objects.filter(pk__in=candidates, status=Audit.Status.NIL_RETURN))
        Audit.history.bulk_history_create(
            closed_rows, update=True, default_change_reason=REASON_NIL_RETURN, default_date=now
        )
        data_version_bump()
    return closed


REMINDER_STAMPS = {"before_due": "reminded_before_due_at", "on_due": "reminded_on_due_at"}


def audit_send_reminders(*, today: datetime.date) -> int:
    """Queue the due-date reminders for today: `Policy.reminder_days_before_due` days before (or
    fewer, for an allocation made late) and on the due day, each at most once per audit.
    Returns how many reminders were queued; each task re-checks its guard, so reruns send nothing twice.
    """
    days = Policy.current().reminder_days_before_due
    open_audits = Audit.objects.filter(status__in=EDITABLE_STATUSES)
    queued: list[tuple[int, str]] = []
    if days:
        before = open_audits.filter(
            reminded_before_due_at__isnull=True,
            due_on__gt=today,
            due_on__lte=today + datetime.timedelta(days=days),
        )
        queued += [(pk, "before_due") for pk in before.values_list("pk", flat=True)]
    on_due = open_audits.filter(reminded_on_due_at__isnull=True, due_on=today)
    queued += [(pk, "on_due") for pk in on_due.values_list("pk", flat=True)]

    for audit_id, kind in queued:
        enqueue("audits.tasks.send_audit_reminder", audit_id, kind)
    return len(queued)


def _audit_url(audit: Audit, name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[audit.pk])


def audit_reminder_send(*, audit_id: int, kind: str) -> bool:
    """E-mail the auditor one due-date reminder. False when already sent or no longer needed.

    The stamp is written in the same transaction as the sending, under a row lock, so two
    workers (or a rerun) send it once; a failing mail server raises, and the task retries.
    """
    stamp = REMINDER_STAMPS[kind]
    with transaction.atomic():
        audit = Audit.objects.select_for_update().select_related("auditor", "child", "team").get(pk=audit_id)
        if getattr(audit, stamp) is not None or audit.status not in EDITABLE_STATUSES:
            return False
        sent = False
        if audit.auditor.is_active and audit.auditor.email:
            context = {"audit": audit, "kind": kind, "url": _audit_url(audit, "audits:audit_edit")}
            send_mail(
                subject=render_to_string("audits/email/reminder_subject.txt", context).strip(),
                message=render_to_string("audits/email/reminder.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[audit.auditor.email],
            )
            sent = True
        Audit.objects.filter(pk=audit.pk).update(**{stamp: timezone.now()})
    return sent


def send_back_notify(*, send_back_id: int) -> bool:
    """Tell the auditor their audit was sent back, and why. Once, guarded by `auditor_notified_at`."""
    with transaction.atomic():
        send_back = (
            SendBack.objects.select_for_update().select_related("audit__auditor", "audit__child").get(pk=send_back_id)
        )
        if send_back.auditor_notified_at is not None:
            return False
        auditor = send_back.audit.auditor
        sent = False
        if auditor.is_active and auditor.email:
            context = {
                "send_back": send_back,
                "audit": send_back.audit,
                "url": _audit_url(send_back.audit, "audits:audit_edit"),
            }
            send_mail(
                subject=f"Audit sent back: {send_back.audit.child.case_ref}",
                message=render_to_string("audits/email/reminder_sent_back.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[auditor.email],
            )
            sent = True
        SendBack.objects.filter(pk=send_back.pk).update(auditor_notified_at=timezone.now())
    return sent
