"""Monthly allocation: the month's plan and its proposed lines, exemptions, and reminders to return audits.

These models moved here from the audits app (issue 11) and keep their tables (`audits_monthplan`, ...): the
rows never moved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audits.models import AuditKind
from caseload.models import Child


class MonthPlan(models.Model):
    """The QA team's plan for one allocation month: a proposal, edited, then confirmed once."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Proposal"
        CONFIRMED = "confirmed", "Confirmed"

    month = models.DateField(unique=True, help_text="First day of the month.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    seed = models.PositiveIntegerField(default=0, help_text="Makes the proposal reproducible.")
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "audits_monthplan"
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%B %Y")


class ProposedAllocation(models.Model):
    """One line of a month's proposal, editable until the plan is confirmed."""

    plan = models.ForeignKey(MonthPlan, on_delete=models.CASCADE, related_name="proposals")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AuditKind.choices, default=AuditKind.ROUTINE)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "audits_proposedallocation"
        ordering = ["auditor__last_name", "auditor__first_name", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "child"], name="child_once_per_proposal")]


class Exemption(models.Model):
    class Kind(models.TextChoices):
        STANDING = "standing", "Standing"
        SINGLE_MONTH = "month", "Single month"

    class Reason(models.TextChoices):
        MODERATOR = "moderator", "Moderating"
        ABSENCE = "absence", "Extended absence"
        PART_TIME = "part_time", "0.5 FTE or less (bi-monthly)"
        OTHER_QA = "other_qa", "Other QA activity"
        OTHER = "other", "Other"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exemptions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    month = models.DateField(null=True, blank=True, help_text="For a single-month exemption: the month.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.TextField(blank=True)
    approved_by = models.CharField("approving director", max_length=120, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="Blank: until withdrawn.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(table_name="audits_historicalexemption")

    class Meta:
        db_table = "audits_exemption"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="standing") | (Q(kind="month") & Q(month__isnull=False) & ~Q(approved_by="")),
                name="single_month_exemption_has_month_and_director",
            )
        ]


class ReturnReminder(models.Model):
    """The QA team chased an auditor by e-mail for a month's audits not yet returned: at most once a day.

    The unique constraint makes a second click on the same day (or two QA officers at once) find the first
    reminder instead of sending another; `emailed_at` guards the e-mail against a rerun of its task.
    """

    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the allocation month.")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outstanding = models.PositiveSmallIntegerField(help_text="Audits not yet returned when the reminder was asked for.")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "audits_returnreminder"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["auditor", "month", "sent_on"], name="one_return_reminder_a_day")
        ]


class Cohort(models.Model):
    """The children a programme other than the monthly audit draws from, by rules over the caseload, and its sample.

    A themed audit or dip sample selects open children by legal status, team, service area, the date the case
    opened and the caseload's flags (each rule left empty selects everyone; a child must meet every rule set,
    any one of the values chosen within a rule, and every flag chosen). The QA team draws a sample by count or
    percentage with a stored seed (the same seed and caseload give the same children), edits the proposed
    auditors, and confirms once: the programme's audits are then created.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Sample not yet confirmed"
        CONFIRMED = "confirmed", "Confirmed"

    programme = models.OneToOneField("audits.Programme", on_delete=models.CASCADE, related_name="cohort")
    legal_statuses = models.JSONField(default=list, blank=True)
    teams = models.ManyToManyField("people.Team", blank=True, related_name="+")
    service_areas = models.ManyToManyField("people.ServiceArea", blank=True, related_name="+")
    flags = models.ManyToManyField("caseload.Flag", blank=True, related_name="+")
    opened_after = models.DateField("case opened on or after", null=True, blank=True)
    opened_before = models.DateField("case opened before", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    seed = models.PositiveIntegerField(null=True, blank=True, help_text="Makes the sample reproducible.")
    # The cohort's size when the sample was drawn, so "100 of 361" stays what it was when the caseload moves on.
    size_when_drawn = models.PositiveIntegerField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Cohort of {self.programme}"


class SampleLine(models.Model):
    """One sampled child and the person proposed to audit it, editable until the cohort is confirmed."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="lines")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=AuditKind.choices, default=AuditKind.ROUTINE)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["child__case_ref"]
        constraints = [models.UniqueConstraint(fields=["cohort", "child"], name="child_once_per_sample")]
