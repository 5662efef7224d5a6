"""The QA policy, the practice-area template and the audit.

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
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from caseload.models import Child, LegalStatus
from common.text_limits import LONG_TEXT_MAX


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires Improvement"
    INADEQUATE = "inadequate", "Inadequate"


# An overall grade a programme that allows it may give instead of one of the four ("NA" in the tracker):
# the audit is returned but not graded, and counts in the report's `not_graded`. Kept apart from `Grade`
# because a practice area, a moderation's comparison and the grade ranks know only the four grades.
NOT_GRADED = "not_graded"
OVERALL_GRADE_CHOICES = [*Grade.choices, (NOT_GRADED, "Not graded")]


# Best first; used to compare grades (upgrade / downgrade).
GRADE_RANK = {Grade.OUTSTANDING: 4, Grade.GOOD: 3, Grade.REQUIRES_IMPROVEMENT: 2, Grade.INADEQUATE: 1}

# Grade keys in the contract's order, best first; every "counts" object of the report carries all four.
GRADE_KEYS: tuple[str, ...] = (
    Grade.OUTSTANDING.value,
    Grade.GOOD.value,
    Grade.REQUIRES_IMPROVEMENT.value,
    Grade.INADEQUATE.value,
)


class AuditKind(models.TextChoices):
    """Why a child was allocated: the month's routine sample, a re-audit after Inadequate, or by hand."""

    ROUTINE = "routine", "Routine"
    REAUDIT = "reaudit", "Re-audit after Inadequate"
    MANUAL = "manual", "Added by hand"


class AreaGradeChoice(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires Improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_APPLICABLE = "na", "Not applicable"


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


MONTHLY_SLUG = "monthly"
MONTHLY_NAME = "Monthly audit"


class Programme(models.Model):
    """An audit programme: the monthly audit, or a themed audit, dip sample, practice week or independent review.

    Every audit belongs to one. Each programme asks its own questions (its own versioned practice-area
    template), says whether an overall grade may be "not graded", and how its audits are moderated.
    The monthly audit is the one programme of kind MONTHLY (slug `monthly`); its sample percentage is
    the QA policy's unless the programme sets one.
    """

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "Monthly audit"
        THEMED = "themed", "Themed audit"
        DIP_SAMPLE = "dip_sample", "Dip sample"
        PRACTICE_WEEK = "practice_week", "Practice week"
        INDEPENDENT_REVIEW = "independent_review", "Independent review"

    class ModerationRule(models.TextChoices):
        SAMPLE = "sample", "A sample of the returned audits"
        ALL = "all", "Every returned audit"
        NONE = "none", "No moderation"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="Names the programme in report URLs and commands.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.THEMED)
    allows_not_graded = models.BooleanField(
        "overall grade may be “not graded”",
        default=False,
        help_text="For audits that check minimum standards rather than judge the practice overall.",
    )
    moderation_rule = models.CharField(max_length=10, choices=ModerationRule.choices, default=ModerationRule.SAMPLE)
    sample_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="The share of returned audits moderated at random; blank: the QA policy's percentage.",
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_programmes"
    )
    findings_summary = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="monthly"), name="one_monthly_programme"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_monthly(self) -> bool:
        return self.kind == self.Kind.MONTHLY

    def moderation_percent(self, policy_percent: int) -> int:
        """The share of returned audits this programme moderates (100 = all, 0 = none)."""
        if self.moderation_rule == self.ModerationRule.ALL:
            return 100
        if self.moderation_rule == self.ModerationRule.NONE:
            return 0
        return policy_percent if self.sample_percent is None else self.sample_percent


def monthly_programme() -> Programme:
    """The monthly audit's programme, made on first use (a data migration makes it in every database)."""
    programme, _ = Programme.objects.get_or_create(
        kind=Programme.Kind.MONTHLY, defaults={"name": MONTHLY_NAME, "slug": MONTHLY_SLUG}
    )
    return programme


def monthly_programme_id() -> int:
    """A new audit or template version belongs to the monthly audit unless it names another programme."""
    return monthly_programme().pk


class TemplateVersion(models.Model):
    """A version of a programme's practice-area template. New audits take the current one; old audits keep theirs.

    Each programme has its own numbered versions and at most one current version.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="templates", default=monthly_programme_id
    )
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=120, default="Practice areas")
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="unique_template_number_per_programme"),
            models.UniqueConstraint(
                fields=["programme"], condition=Q(is_current=True), name="one_current_template_per_programme"
            ),
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
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="audits", default=monthly_programme_id
    )
    month = models.DateField(help_text="First day of the allocation month.")
    # Allocation sits above audits: the foreign keys name its models, and nothing here imports it.
    plan = models.ForeignKey(
        "allocation.MonthPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="audits"
    )
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
    kind = models.CharField(max_length=10, choices=AuditKind.choices, default=AuditKind.ROUTINE)
    allocation_reason = models.CharField(max_length=200, blank=True)
    contact_child = models.BooleanField(default=True)
    contact_parents = models.BooleanField(default=True)
    contact_iro = models.BooleanField(default=False)
    external_ref = models.CharField(
        max_length=80, null=True, blank=True, unique=True, help_text="audit_ref of an imported tracker row."
    )
    # The earlier audit of the same child this one re-audits (a proposed re-audit once allocated, or the
    # tracker's reaudit_of): the re-audit page and the report compare the two.
    reaudit_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reaudits", verbose_name="re-audit of"
    )

    # Lifecycle.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    exemption = models.ForeignKey(
        "allocation.Exemption", null=True, blank=True, on_delete=models.SET_NULL, related_name="audits"
    )
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
    auditor_grade = models.CharField(max_length=22, choices=OVERALL_GRADE_CHOICES, blank=True)
    at_risk = models.BooleanField("at risk of becoming inadequate without incisive management input", default=False)
    final_grade = models.CharField(max_length=22, choices=OVERALL_GRADE_CHOICES, blank=True, db_index=True)
    immediate_concern = models.BooleanField("immediate concern for this child's safety", default=False)
    immediate_concern_detail = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    sw_participated = models.BooleanField("social worker took part", null=True, blank=True)
    manager_participated = models.BooleanField("manager took part", null=True, blank=True)
    iro_views = models.CharField("IRO / CP chair views obtained", max_length=3, choices=IroViews.choices, blank=True)
    child_spoken_to = models.BooleanField(null=True, blank=True)
    parent_spoken_to = models.BooleanField("parent or carer spoken to", null=True, blank=True)
    child_feedback = models.CharField(max_length=10, choices=Feedback.choices, blank=True)
    child_feedback_comment = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    parent_feedback = models.CharField(max_length=10, choices=Feedback.choices, blank=True)
    parent_feedback_comment = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    strengths = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    improvements = models.TextField("areas for improvement", max_length=LONG_TEXT_MAX, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["editor_token"])
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "team__name", "id"]
        indexes = [
            models.Index(fields=["month", "status"]),
            # A report scoped to one programme reads its months, not the whole history.
            models.Index(fields=["programme", "month"]),
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
    evidence = models.TextField(max_length=LONG_TEXT_MAX, blank=True)
    impact = models.TextField("impact on the child's lived experience", max_length=LONG_TEXT_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__order", "area_id"]
        constraints = [models.UniqueConstraint(fields=["audit", "area"], name="one_grade_per_area")]


class AuditExport(models.Model):
    """Someone downloaded the audit as a PDF (for the child's record): listed in the audit's history."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="exports")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.PDF)

    class Meta:
        ordering = ["-at"]


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


class Theme(models.Model):
    """A learning theme the QA team keeps (chronologies, voice of the child...), counted across audits.

    Renaming keeps the row (and its history), so every audit tagged with it follows; a retired
    theme is no longer offered on new audits but stays on the audits that carry it.
    """

    name = models.CharField(max_length=120)
    strand = models.CharField(
        "improvement-plan strand",
        max_length=200,
        blank=True,
        help_text="The strand of the council's improvement plan this theme belongs to, if any.",
    )
    is_active = models.BooleanField("offered on new audits", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint(Lower("name"), name="unique_theme_name_ci")]

    def __str__(self) -> str:
        return self.name


class ThemeKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Area for improvement"
    STRENGTH = "strength", "Strength"


class AuditTheme(models.Model):
    """A theme found on an audit, as a strength or as an area for improvement.

    The auditor tags it; the moderator confirms or changes the tags, and `confirmed_by` says who did.
    """

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="audit_themes")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="audit_themes")
    kind = models.CharField(max_length=12, choices=ThemeKind.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who tagged, untagged or confirmed which theme, and when: shown in the audit's history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "theme__name"]
        constraints = [models.UniqueConstraint(fields=["audit", "theme", "kind"], name="one_tag_per_theme_and_kind")]
        # The report counts tags by kind over a month's audits: (kind, audit) then theme.
        indexes = [models.Index(fields=["kind", "audit", "theme"])]

    def __str__(self) -> str:
        return f"{self.theme} ({self.get_kind_display()})"


# The final grades whose social worker the QA team may ask what made the difference (seed 000, section 1.5).
GOOD_PRACTICE_GRADES: tuple[str, ...] = (Grade.OUTSTANDING.value, Grade.GOOD.value)


class GoodPractice(models.Model):
    """What the social worker says made the difference, on an audit whose final grade is Good or Outstanding.

    The QA team contacts the allocated social worker after a Good audit and records what they say, tagged
    with learning themes (seed 000, section 1.5); the report lists these without the child's name or
    case reference. One record per audit, revised in place, its history (text and tags) kept.
    """

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="good_practice")
    text = models.TextField("what made the difference", max_length=LONG_TEXT_MAX)
    themes = models.ManyToManyField(Theme, blank=True, related_name="good_practice", verbose_name="themes")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "good practice"
        verbose_name_plural = "good practice"

    def __str__(self) -> str:
        return f"Good practice on audit #{self.audit_id}"
