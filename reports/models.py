"""The reports' own records: the Head of Quality's narrative, each generated PDF and the QA team's targets."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from common.text_limits import NARRATIVE_MAX


class ReportNarrative(models.Model):
    month = models.DateField(unique=True)
    executive_summary = models.TextField(blank=True, max_length=NARRATIVE_MAX)
    methodology = models.TextField(blank=True, max_length=NARRATIVE_MAX)
    improvement_responses = models.TextField(blank=True, max_length=NARRATIVE_MAX)
    conclusions = models.TextField("conclusions and recommendations", blank=True, max_length=NARRATIVE_MAX)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()


class ReportDocument(models.Model):
    """One generated PDF of a month's report. `(month, scope, as_of, revision)` is unique, so a job run twice makes one.

    The revision is numbered by the server. A page's Generate button carries a one-time `request_key`
    instead, so a double click finds the document the first click made.
    """

    class Status(models.TextChoices):
        # The job could not be handed to the worker (the broker was down); the stale-document job sends it again.
        WAITING = "waiting", "Waiting for the PDF service"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Generating"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    month = models.DateField()
    # A period report (contracts.md section 3) runs from `month` to `month_to`; the monthly report has no
    # `month_to`. Both have a scope, and each report (month or period, and scope) numbers its own revisions.
    month_to = models.DateField(null=True, blank=True)
    # A monthly report's blank programme is its default scope, the monthly audit (every document made before
    # scopes existed, and the monthly schedule's draft); a period report's blank programme means all programmes.
    programme = models.CharField(
        max_length=60, blank=True, help_text="The scope's programme slug or 'all'; blank for the report's default."
    )
    service_area = models.CharField(max_length=100, blank=True)
    as_of = models.DateField()
    revision = models.PositiveIntegerField(default=1)
    is_draft = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # Last sign of life (queued, started, a progress step): a queued or running document whose heartbeat is old
    # was lost (a broker outage, a worker killed) and is sent again by the stale-document job.
    heartbeat_at = models.DateTimeField(default=timezone.now)
    # How many times a worker has started on this document; the stale-document job gives up after a few.
    attempts = models.PositiveSmallIntegerField(default=0)
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The report body as rendered for the draft, with its charts: the published edition prints the same pages
    # under a published cover, whatever has changed in the data since.
    body_html = models.TextField(blank=True, editable=False)
    charts_svg = models.JSONField(default=dict, blank=True, editable=False)
    file = models.FileField(upload_to="reports/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Guard for telling the Heads of Quality that the monthly draft is ready: a rerun sends nothing twice.
    heads_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "programme", "service_area", "as_of", "revision"],
                condition=models.Q(month_to__isnull=True),
                name="one_report_document_per_scope_revision",
            ),
            models.UniqueConstraint(
                fields=["month", "month_to", "programme", "service_area", "as_of", "revision"],
                condition=models.Q(month_to__isnull=False),
                name="one_period_document_per_revision",
            ),
        ]

    @property
    def is_period(self) -> bool:
        return self.month_to is not None

    def file_stem(self) -> str:
        """The PDF's file name without the edition: the report, its scope, the as-of date and the revision."""
        months = f"{self.month:%Y-%m}" if self.month_to is None else f"{self.month:%Y-%m}-to-{self.month_to:%Y-%m}"
        scope = "".join(f"-{slugify(part)}" for part in (self.programme, self.service_area) if part)
        return f"qa-report-{months}{scope}-as-of-{self.as_of.isoformat()}-r{self.revision}"


PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def _percent_field(label: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=4, decimal_places=1, null=True, blank=True, validators=PERCENT_VALIDATORS, help_text=help_text
    )


class ReportTargets(models.Model):
    """The QA team's targets the reports measure their figures against: one row for the authority.

    Each target is optional; a blank one is simply not shown. Saved through `reports.services.report_targets_save`,
    which moves the data version on so no cached report shows old targets.
    """

    returns_percent = _percent_field("Return rate (%)", "Share of scheduled audits returned, at least. For example 90.")
    inadequate_below_percent = _percent_field(
        "Inadequate below (%)", "Share of graded audits graded Inadequate should stay below this. For example 10."
    )
    audits_per_team_month = models.PositiveSmallIntegerField(
        "Audits per team per month",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Returned audits each team should have every month, at least. For example 2.",
    )
    moderator_effect_low_percent = _percent_field(
        "Moderator effect from (%)",
        "The lower end of the band for the share of moderated audits whose grade the "
        "moderator changed. For example 10.",
    )
    moderator_effect_high_percent = _percent_field(
        "Moderator effect to (%)", "The upper end of the band. For example 15."
    )
    actions_on_time_percent = _percent_field(
        "Actions completed on time (%)",
        "Share of the actions from the last three months' audits completed by their due date (as the report's "
        "actions table counts them), at least. For example 80.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    SINGLETON_PK = 1

    class Meta:
        verbose_name = "report targets"
        verbose_name_plural = "report targets"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_report_targets_row")]
