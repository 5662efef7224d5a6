"""Audit actions and Child of Concern notifications.

An action's status (not yet due, overdue, completed on time, completed late)
is derived from its dates on the day asked, never stored, so it cannot drift.
The `*_at` stamps are idempotency guards for reminders: a daily job that runs
twice sends nothing twice.
"""

import datetime

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from audits.models import Audit, Theme
from caseload.models import Child
from common.text_limits import ACTION_TEXT_MAX, LONG_TEXT_MAX


class Action(models.Model):
    class Status(models.TextChoices):
        NOT_YET_DUE = "not_yet_due", "Not yet due"
        OVERDUE = "overdue", "Overdue"
        COMPLETED_ON_TIME = "completed_on_time", "Completed on time"
        COMPLETED_LATE = "completed_late", "Completed late"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="actions")
    external_ref = models.CharField(max_length=80, null=True, blank=True, unique=True)
    description = models.TextField(max_length=ACTION_TEXT_MAX)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions")
    due_on = models.DateField(db_index=True)
    in_care_plan = models.BooleanField("goes into the child's care plan", default=False)
    # The learning theme the action works on, if any (chosen on the action row).
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_note = models.TextField("what changed for the child", max_length=LONG_TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_before_due_at = models.DateTimeField(null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True)
    manager_notified_overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        # The report's `older_open` reads only the open actions (completed_on blank, or after the day
        # asked) through this index, not every action in years of completed history.
        indexes = [models.Index(fields=["completed_on"], name="action_completed_on")]

    def __str__(self) -> str:
        return self.description[:60]

    def status_on(self, day: datetime.date) -> str:
        if self.completed_on is not None and self.completed_on <= day:
            return self.Status.COMPLETED_LATE if self.completed_on > self.due_on else self.Status.COMPLETED_ON_TIME
        return self.Status.OVERDUE if self.due_on < day else self.Status.NOT_YET_DUE


class ActionChange(models.Model):
    """A due-date move or a reopening, with the reason the service required."""

    class Kind(models.TextChoices):
        DUE_DATE = "due_date", "Due date moved"
        REOPENED = "reopened", "Reopened"
        COMPLETED = "completed", "Completed"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    old_due_on = models.DateField(null=True, blank=True)
    new_due_on = models.DateField(null=True, blank=True)
    reason = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    completed_on = models.DateField(
        null=True, blank=True, help_text="For a completion, the date recorded; for a reopening, the date withdrawn."
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class ManagerDigest(models.Model):
    """One weekly digest of a team manager's overdue actions: the unique week makes the daily job send it once."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_starting = models.DateField(help_text="The Monday of the week the digest covers.")
    actions_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_starting"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "week_starting"], name="one_digest_per_manager_per_week")
        ]


class ChildOfConcern(models.Model):
    class Status(models.TextChoices):
        AWAITING_RESPONSE = "awaiting", "Awaiting response"
        RESPONDED = "responded", "Response under review"
        RESOLVED = "resolved", "Resolved"

    class Trigger(models.TextChoices):
        INADEQUATE = "inadequate", "Graded Inadequate"
        IMMEDIATE_CONCERN = "immediate", "Immediate concern flagged"

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="child_of_concern")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concerns")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING_RESPONSE)
    raised_on = models.DateField(db_index=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    response_due_on = models.DateField()
    notified_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    grade_lifted_at = models.DateTimeField(
        null=True, blank=True, help_text="Moderation later lifted the grade above Inadequate."
    )
    safety_response = models.TextField(
        "what is being done to make sure the child is safe", max_length=LONG_TEXT_MAX, blank=True
    )
    service_offer_response = models.TextField(
        "assurance that the service offer is right", max_length=LONG_TEXT_MAX, blank=True
    )
    next_steps_response = models.TextField(
        "next steps to a good service, with dates", max_length=LONG_TEXT_MAX, blank=True
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # A draft is the three parts saved without sending: the concern still awaits the team's response (its
    # deadline, reminders and escalation run on), and the QA team sees it marked as a draft.
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    draft_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "id"]
        verbose_name_plural = "children of concern"

    def __str__(self) -> str:
        return f"Child of Concern {self.child.case_ref}"


class ConcernReview(models.Model):
    """The QA team's decision on a team's response: resolved, or returned for more (with what is missing)."""

    class Decision(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        RETURNED = "returned", "Returned for more"

    concern = models.ForeignKey(ChildOfConcern, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the team was told it was returned.")

    class Meta:
        ordering = ["-at", "-id"]
