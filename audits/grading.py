"""The one place that decides an audit's final grade.

Final grade = the moderator's grade if the audit has a completed moderation,
else the auditor's grade (contracts.md). Every change of grade goes through
`audit_set_final_grade`, which then tells the Child of Concern workflow (the
`final_grade_set` hook, received in actions/apps.py), so that code never
re-derives grades.
"""

from django.db import transaction

from audits.hooks import final_grade_set
from audits.models import Audit
from common.data_version import data_version_bump


def _final_grade(audit: Audit, moderated_grade: str) -> str:
    if moderated_grade:
        return moderated_grade
    if audit.is_returned or audit.status == Audit.Status.SUBMITTED:
        return audit.auditor_grade
    return ""


def audit_final_grade_of(audit: Audit) -> str:
    moderation = getattr(audit, "moderation", None)
    completed = moderation is not None and moderation.status == moderation.Status.COMPLETED
    return _final_grade(audit, moderation.grade if completed else "")


_READ_MODERATION = object()


def audit_final_grade_assign(audit: Audit, *, moderated_grade: str | object = _READ_MODERATION) -> str:
    """Set (not save) the audit's final grade by the one rule, for writers that save audits in bulk.

    The importer and the demo build thousands of audits in memory and save them together, so they
    cannot go through `audit_set_final_grade` row by row. `moderated_grade` is the grade of the
    audit's completed moderation where the caller holds it outside the audit (the demo plans its
    moderations before they are rows; "" for none); left out, `audit.moderation` is read.
    """
    if moderated_grade is _READ_MODERATION:
        audit.final_grade = audit_final_grade_of(audit)
    else:
        audit.final_grade = _final_grade(audit, moderated_grade)
    return audit.final_grade


@transaction.atomic
def audit_set_final_grade(*, audit: Audit) -> Audit:
    """Recompute and store the final grade, then let the Child of Concern workflow react to it."""
    previous = audit.final_grade
    audit.final_grade = audit_final_grade_of(audit)
    if audit.final_grade != previous:
        Audit.objects.filter(pk=audit.pk).update(final_grade=audit.final_grade)
        data_version_bump()
    final_grade_set.send(sender=Audit, audit=audit, previous_grade=previous)
    return audit
