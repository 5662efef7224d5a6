"""The one place that decides an audit's final grade.

Final grade = the moderator's grade if the audit has a completed moderation,
else the auditor's grade (contracts.md). Every change of grade goes through
`audit_set_final_grade`, which then tells the Child of Concern workflow, so
that issue's code never re-derives grades.
"""

from django.db import transaction

from actions.services import child_of_concern_evaluate
from audits.models import Audit


def audit_final_grade_of(audit: Audit) -> str:
    moderation = getattr(audit, "moderation", None)
    if moderation is not None and moderation.status == moderation.Status.COMPLETED and moderation.grade:
        return moderation.grade
    if audit.is_returned or audit.status == Audit.Status.SUBMITTED:
        return audit.auditor_grade
    return ""


@transaction.atomic
def audit_set_final_grade(*, audit: Audit) -> Audit:
    """Recompute and store the final grade, then let the Child of Concern workflow react to it."""
    previous = audit.final_grade
    audit.final_grade = audit_final_grade_of(audit)
    if audit.final_grade != previous:
        Audit.objects.filter(pk=audit.pk).update(final_grade=audit.final_grade)
    child_of_concern_evaluate(audit=audit, previous_grade=previous)
    return audit
