"""Moderation: a sampled audit re-graded by a moderator, and the QA team's third check.

The outcome (agreed, upgraded, downgraded) is derived from the two grades by
`moderation.services`, never typed. The moderator's grade becomes the audit's
final grade through `audits.grading.audit_set_final_grade`.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from audits.models import OVERALL_GRADE_CHOICES, AreaGradeChoice, Audit, PracticeArea
from common.text_limits import LONG_TEXT_MAX


class Moderation(models.Model):
    class SampleReason(models.TextChoices):
        RANDOM = "random", "Random sample"
        INADEQUATE = "inadequate", "Graded Inadequate"
        AT_RISK = "at_risk", "At risk of becoming inadequate"
        NEW_AUDITOR = "new_auditor", "New auditor"
        MANUAL = "manual", "Added by the QA team"
        IMPORTED = "imported", "Imported from tracker"

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Awaiting moderation"
        COMPLETED = "completed", "Moderated"
        REMOVED = "removed", "Removed from sample"

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed"
        UPGRADED = "upgraded", "Upgraded"
        DOWNGRADED = "downgraded", "Downgraded"

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="moderation")
    sample_reason = models.CharField(max_length=12, choices=SampleReason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSIGNED, db_index=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="moderations"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    grade = models.CharField(max_length=22, choices=OVERALL_GRADE_CHOICES, blank=True)  # "not graded" where allowed
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    rationale = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    feedback = models.TextField("feedback to the auditor", max_length=LONG_TEXT_MAX, blank=True)
    moderated_on = models.DateField(null=True, blank=True)
    auditor_notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The optional third check by the Head of Quality ("triple lock").
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_agrees = models.BooleanField(null=True, blank=True)
    review_note = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [
            models.Index(fields=["moderator", "status"]),
            # The third checks still to do, oldest moderation first (selectors.awaiting_review): the review list
            # reads its first page from this index instead of sorting every unreviewed moderation.
            models.Index(
                fields=["moderated_on", "id"],
                condition=models.Q(status="completed", reviewed_at__isnull=True),
                name="moderation_awaiting_review",
            ),
        ]


class ModeratedAreaGrade(models.Model):
    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="area_grades")
    area = models.ForeignKey(PracticeArea, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=22, choices=AreaGradeChoice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["moderation", "area"], name="one_moderated_grade_per_area")]
