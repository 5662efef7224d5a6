"""Children's case records, the practice-area template, monthly allocation and the audit.

An `Audit` is one allocation: an auditor asked to audit a child in a month.
It carries a snapshot of the child's context at allocation (team, service
area, legal status, social worker) so that later moves of the child do not
rewrite history. `final_grade` is decided by one service
(`audits.grading.audit_set_final_grade`) and every page and the report
read it from here.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires Improvement"
    INADEQUATE = "inadequate", "Inadequate"


# Best first; used to compare grades (upgrade / downgrade).
GRADE_RANK = {Grade.OUTSTANDING: 4, Grade.GOOD: 3, Grade.REQUIRES_IMPROVEMENT: 2, Grade.INADEQUATE: 1}


class AreaGradeChoice(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires Improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_APPLICABLE = "na", "Not applicable"


class LegalStatus(models.TextChoices):
    ASSESSMENT = "ASSESSMENT", "Assessment"
    CIN = "CIN", "Child in Need"
    CP = "CP", "Child Protection"
    CLA = "CLA", "Child Looked After"
    CARE_LEAVER = "CARE_LEAVER", "Care Leaver"
    CWD = "CWD", "Disabled Children"


class Feedback(models.TextChoices):
    POSITIVE = "positive", "Positive"
    MIXED = "mixed", "Mixed"
    NEGATIVE = "negative", "Negative"


class IroViews(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Child has no IRO / CP chair"


class Policy(models.Model):
    """The QA team's settings for the monthly cycle (one row, edited in the admin)."""

    due_day = models.PositiveSmallIntegerField(default=25, help_text="Day of the month audits are due.")
    nil_return_days_after_month = models.PositiveSmallIntegerField(
        default=10, help_text="Days after the month ends when unsubmitted allocations become nil returns."
    )
    reminder_days_before_due = models.PositiveSmallIntegerField(default=3)
    team_monthly_target_default = models.PositiveSmallIntegerField(default=2)
    skip_children_audited_within_months = models.PositiveSmallIntegerField(default=12)
    practitioner_audit_interval_months = models.PositiveSmallIntegerField(default=6)
    allow_own_team = models.BooleanField(default=False, help_text="May auditors audit their own team's children?")
    # Moderation sampling.
    sample_percent = models.PositiveSmallIntegerField(default=25)
    sample_all_inadequate = models.BooleanField(default=True)
    sample_all_at_risk = models.BooleanField(default=True)
    new_auditor_threshold = models.PositiveSmallIntegerField(
        default=3, help_text="Audits by auditors with fewer submitted audits than this are always moderated."
    )
    auditors_per_moderator = models.PositiveSmallIntegerField(default=3)
    moderation_days = models.PositiveSmallIntegerField(default=10, help_text="Days a moderator has to moderate.")
    # Actions and Children of Concern.
    action_reminder_days_before = models.PositiveSmallIntegerField(default=7)
    action_escalation_days = models.PositiveSmallIntegerField(default=28)
    coc_response_working_days = models.PositiveSmallIntegerField(default=5)
    reaudit_after_months = models.PositiveSmallIntegerField(default=3)

    class Meta:
        verbose_name_plural = "policy"

    def __str__(self) -> str:
        return "QA policy"

    @classmethod
    def current(cls) -> Policy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class Child(models.Model):
    case_ref = models.CharField("case reference", max_length=40, unique=True)
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="children")
    legal_status = models.CharField(max_length=12, choices=LegalStatus.choices)
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="caseload"
    )
    is_open = models.BooleanField(default=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case_ref"]
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["team", "is_open"])]

    def __str__(self) -> str:
        return self.case_ref


class TemplateVersion(models.Model):
    """A version of the practice-area template. New audits take the current one; old audits keep theirs."""

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=120, default="Practice areas")
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_template")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class PracticeArea(models.Model):
    template = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="areas")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    guidance = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "slug"], name="unique_area_slug_per_template")]

    def __str__(self) -> str:
        return self.name


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
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%B %Y")


class ProposedAllocation(models.Model):
    """One line of a month's proposal, editable until the plan is confirmed."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", "Routine"
        REAUDIT = "reaudit", "Re-audit after Inadequate"
        MANUAL = "manual", "Added by hand"

    plan = models.ForeignKey(MonthPlan, on_delete=models.CASCADE, related_name="proposals")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ROUTINE)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="standing") | (Q(kind="month") & Q(month__isnull=False) & ~Q(approved_by="")),
                name="single_month_exemption_has_month_and_director",
            )
        ]


class AuditQuerySet(models.QuerySet):
    def returned(self) -> AuditQuerySet:
        return self.filter(submitted_on__isnull=False).exclude(status=Audit.Status.SENT_BACK)


class Audit(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        SUBMITTED = "submitted", "Submitted"
        SENT_BACK = "sent_back", "Sent back"
        EXEMPTED = "exempted", "Exempted"
        NIL_RETURN = "nil_return", "Nil return"

    # Allocation.
    month = models.DateField(help_text="First day of the allocation month.")
    plan = models.ForeignKey(MonthPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="audits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="audits")
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="audits")
    service_area = models.ForeignKey("people.ServiceArea", on_delete=models.PROTECT, related_name="audits")
    legal_status = models.CharField(max_length=12, choices=LegalStatus.choices)
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="practice_audits"
    )
    template = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="audits")
    due_on = models.DateField()
    kind = models.CharField(
        max_length=10, choices=ProposedAllocation.Kind.choices, default=ProposedAllocation.Kind.ROUTINE
    )
    allocation_reason = models.CharField(max_length=200, blank=True)
    contact_child = models.BooleanField(default=True)
    contact_parents = models.BooleanField(default=True)
    contact_iro = models.BooleanField(default=False)
    external_ref = models.CharField(
        max_length=80, null=True, blank=True, unique=True, help_text="audit_ref of an imported tracker row."
    )

    # Lifecycle.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    exemption = models.ForeignKey(Exemption, null=True, blank=True, on_delete=models.SET_NULL, related_name="audits")
    exemption_reason = models.TextField(blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finalised_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Optimistic lock: bumped on every save of the form.")
    # The browser tab that saved last: a tab's own in-flight autosave never counts as a conflicting edit.
    editor_token = models.CharField(max_length=32, blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    # Actions typed into a draft that still lack an owner or a due date (an Action row needs both):
    # kept here so nothing typed is lost, and turned into Action rows once complete.
    pending_actions = models.JSONField(default=list, blank=True)
    reminded_before_due_at = models.DateTimeField(null=True, blank=True)
    reminded_on_due_at = models.DateTimeField(null=True, blank=True)
    allocation_notified_at = models.DateTimeField(null=True, blank=True)

    # The audit itself.
    auditor_grade = models.CharField(max_length=22, choices=Grade.choices, blank=True)
    at_risk = models.BooleanField("at risk of becoming inadequate without incisive management input", default=False)
    final_grade = models.CharField(max_length=22, choices=Grade.choices, blank=True, db_index=True)
    immediate_concern = models.BooleanField("immediate concern for this child's safety", default=False)
    immediate_concern_detail = models.TextField(blank=True)
    sw_participated = models.BooleanField("social worker took part", null=True, blank=True)
    manager_participated = models.BooleanField("manager took part", null=True, blank=True)
    iro_views = models.CharField("IRO / CP chair views obtained", max_length=3, choices=IroViews.choices, blank=True)
    child_spoken_to = models.BooleanField(null=True, blank=True)
    parent_spoken_to = models.BooleanField("parent or carer spoken to", null=True, blank=True)
    child_feedback = models.CharField(max_length=10, choices=Feedback.choices, blank=True)
    child_feedback_comment = models.TextField(blank=True)
    parent_feedback = models.CharField(max_length=10, choices=Feedback.choices, blank=True)
    parent_feedback_comment = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    improvements = models.TextField("areas for improvement", blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["editor_token"])
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "team__name", "id"]
        indexes = [
            models.Index(fields=["month", "status"]),
            models.Index(fields=["auditor", "month"]),
            models.Index(fields=["team", "month"]),
            models.Index(fields=["child", "month"]),
            # "Moderated but not finalised" (awaiting_finalisation) reads the few open rows, not all history.
            models.Index(fields=["finalised_on", "month"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "child", "auditor"], condition=Q(external_ref__isnull=True), name="one_allocation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child.case_ref} ({self.month:%b %Y})"

    @property
    def is_returned(self) -> bool:
        return self.submitted_on is not None and self.status != self.Status.SENT_BACK

    @property
    def is_late(self) -> bool:
        return self.submitted_on is not None and self.submitted_on > self.due_on

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SENT_BACK) and day > self.due_on


class AreaGrade(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="area_grades")
    area = models.ForeignKey(PracticeArea, on_delete=models.PROTECT, related_name="grades")
    grade = models.CharField(max_length=22, choices=AreaGradeChoice.choices, blank=True)
    evidence = models.TextField(blank=True)
    impact = models.TextField("impact on the child's lived experience", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__order", "area_id"]
        constraints = [models.UniqueConstraint(fields=["audit", "area"], name="one_grade_per_area")]


class SendBack(models.Model):
    """The QA team returned a submitted audit as not meeting the standard to be submitted."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="send_backs")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True)
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    auditor_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]


class ImportRun(models.Model):
    """A record of each tracker import (who, when, file, counts) and its progress."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Checked, awaiting confirmation"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    audits_file = models.FileField(upload_to="imports/")
    audits_filename = models.CharField(max_length=255)
    actions_file = models.FileField(upload_to="imports/", blank=True)
    actions_filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
