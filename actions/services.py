"""Writes for actions and Children of Concern."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from actions.models import ChildOfConcern
from actions.workdays import add_working_days
from audits.models import Audit, Grade, Policy


def _coc_trigger(audit: Audit) -> str | None:
    if audit.final_grade == Grade.INADEQUATE:
        return ChildOfConcern.Trigger.INADEQUATE
    if audit.immediate_concern and audit.is_returned:
        return ChildOfConcern.Trigger.IMMEDIATE_CONCERN
    return None


@transaction.atomic
def child_of_concern_evaluate(*, audit: Audit, previous_grade: str = "") -> ChildOfConcern | None:
    """Raise a Child of Concern once per audit when its final grade is Inadequate or it flags immediate concern.

    Called by `audits.grading.audit_set_final_grade` on every grade change. If a
    later moderation lifts the grade above Inadequate, the open notification is
    marked so, and the QA team decides whether to close it.
    """
    existing = ChildOfConcern.objects.select_for_update().filter(audit=audit).first()
    trigger = _coc_trigger(audit)
    if existing is not None:
        if trigger is None and existing.grade_lifted_at is None and existing.status != ChildOfConcern.Status.RESOLVED:
            existing.grade_lifted_at = timezone.now()
            existing.save(update_fields=["grade_lifted_at"])
        elif trigger is not None and existing.grade_lifted_at is not None:
            existing.grade_lifted_at = None
            existing.save(update_fields=["grade_lifted_at"])
        return existing
    if trigger is None:
        return None
    today = timezone.localdate()
    concern = ChildOfConcern.objects.create(
        audit=audit,
        child=audit.child,
        trigger=trigger,
        raised_on=today,
        response_due_on=add_working_days(today, Policy.current().coc_response_working_days),
    )
    from actions.tasks import notify_child_of_concern

    transaction.on_commit(lambda: notify_child_of_concern.delay(concern.pk))
    return concern
