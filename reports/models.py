"""The monthly report's own records: the Head of Quality's narrative and each generated PDF."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ReportNarrative(models.Model):
    month = models.DateField(unique=True)
    executive_summary = models.TextField(blank=True)
    methodology = models.TextField(blank=True)
    improvement_responses = models.TextField(blank=True)
    conclusions = models.TextField("conclusions and recommendations", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()


class ReportDocument(models.Model):
    """One generated PDF of a month's report. `(month, as_of, revision)` is unique, so a job run twice makes one."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Generating"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    month = models.DateField()
    as_of = models.DateField()
    revision = models.PositiveIntegerField(default=1)
    is_draft = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
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
            models.UniqueConstraint(fields=["month", "as_of", "revision"], name="one_report_document_per_revision")
        ]
