"""People, roles, teams and service areas.

Roles are flags on the user because one person often holds several (a team
manager audits and manages; a moderator may also audit). Team membership is
where a member of staff works; a team's manager and head of service are the
people who see its audits and answer for its children.
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


class ServiceArea(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="teams")
    manager = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )
    head_of_service = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_teams"
    )
    monthly_target = models.PositiveSmallIntegerField(
        default=2, help_text="Audits this team should receive each month."
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class AuditFrequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        BIMONTHLY = "bimonthly", "Every other month"

    job_title = models.CharField(max_length=120, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    fte = models.DecimalField(
        "FTE", max_digits=3, decimal_places=2, default=Decimal("1.00"), help_text="Full-time equivalent, 0.1 to 1.0."
    )
    is_auditor = models.BooleanField("Auditor", default=False)
    is_moderator = models.BooleanField("Moderator", default=False)
    is_quality = models.BooleanField(
        "Head of Quality / QA team", default=False, help_text="Runs allocation, moderation and the report."
    )
    is_manager = models.BooleanField("Manager", default=False)
    audit_frequency = models.CharField(max_length=10, choices=AuditFrequency.choices, default=AuditFrequency.MONTHLY)
    audits_per_month = models.PositiveSmallIntegerField(default=1, help_text="Allocations each audit month (1 or 2).")
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> list[str]:
        names = []
        for flag, label in (
            ("is_auditor", "Auditor"),
            ("is_moderator", "Moderator"),
            ("is_quality", "Head of Quality"),
            ("is_manager", "Manager"),
        ):
            if getattr(self, flag):
                names.append(label)
        return names
