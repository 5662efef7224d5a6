"""Children and their case facts: the caseload every audit is drawn from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class LegalStatus(models.TextChoices):
    ASSESSMENT = "ASSESSMENT", "Assessment"
    CIN = "CIN", "Child in Need"
    CP = "CP", "Child Protection"
    CLA = "CLA", "Child Looked After"
    CARE_LEAVER = "CARE_LEAVER", "Care Leaver"
    CWD = "CWD", "Disabled Children"


class Flag(models.Model):
    """A fact about a child a themed audit may select on (`no_plan`, `repeat_cp`, `plo`), from the caseload extract."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    # Replaced by each caseload import that has a flags column (contracts.md section 4).
    flags = models.ManyToManyField(Flag, blank=True, related_name="children")
    # The tables keep the names they had in the audits app (issue 11 moved the model without moving its rows).
    history = HistoricalRecords(table_name="audits_historicalchild")

    class Meta:
        db_table = "audits_child"
        ordering = ["case_ref"]
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["team", "is_open"])]

    def __str__(self) -> str:
        return self.case_ref
