"""A record of each tracker import. It moved here from the audits app (issue 11) and keeps its table."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """A record of each import (tracker, caseload or staff list: who, when, file, counts, warnings) and its progress.

    `audits_file`/`audits_filename` hold the one file of a caseload or staff import (the names are the tracker's,
    kept with the table).
    """

    class Kind(models.TextChoices):
        TRACKER = "tracker", "Tracker"
        CASELOAD = "caseload", "Caseload"
        STAFF = "staff", "Staff list"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded"
        DROP = "drop", "Drop folder"

    class Status(models.TextChoices):
        # A large file is checked by the worker, with progress, rather than in the upload's request.
        CHECKING = "checking", "Checking the files"
        PREVIEWED = "previewed", "Checked, awaiting confirmation"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the import itself was confirmed and queued: a run still "importing" long after is stale.
    started_at = models.DateTimeField(null=True, blank=True)
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
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TRACKER)
    # --full: the file is the whole list (children missing from it are closed, people missing from it stopped).
    full = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    # What was implausible but allowed: imported as it stands and listed (contracts.md section 1).
    warnings = models.JSONField(default=list, blank=True)
    # SHA-256 of a dropped file's content: a file seen twice in the drop folder is imported once.
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        db_table = "audits_importrun"
        ordering = ["-created_at"]

    # The record each kind of import is about: its created/updated/closed counts lead the history's row.
    MAIN_RECORD = {"tracker": "audits", "caseload": "children", "staff": "users"}

    @property
    def main_counts(self) -> dict[str, int]:
        return self.counts.get(self.MAIN_RECORD[self.kind]) or {}

    @property
    def upload_url_name(self) -> str:
        return {"tracker": "imports:upload", "caseload": "imports:caseload", "staff": "imports:staff"}[self.kind]
