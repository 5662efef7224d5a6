from django.contrib import admin

from audits.models import Policy
from qa_portal.admin_site import QualityTeamAdminMixin


@admin.register(Policy)
class PolicyAdmin(QualityTeamAdminMixin, admin.ModelAdmin):
    fieldsets = (
        (
            "Allocation",
            {
                "fields": (
                    "due_day",
                    "team_monthly_target_default",
                    "skip_children_audited_within_months",
                    "practitioner_audit_interval_months",
                    "allow_own_team",
                    "reminder_days_before_due",
                    "nil_return_days_after_month",
                )
            },
        ),
        (
            "Moderation",
            {
                "fields": (
                    "sample_percent",
                    "sample_all_inadequate",
                    "sample_all_at_risk",
                    "new_auditor_threshold",
                    "auditors_per_moderator",
                    "moderation_days",
                )
            },
        ),
        (
            "Actions and Children of Concern",
            {
                "fields": (
                    "action_reminder_days_before",
                    "action_escalation_days",
                    "coc_response_working_days",
                    "reaudit_after_months",
                )
            },
        ),
    )

    def has_add_permission(self, request, *args):
        # One policy row only; it is created on first use.
        return not Policy.objects.exists() and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return False
