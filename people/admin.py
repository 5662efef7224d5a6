from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from people.models import ServiceArea, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = (
        "username",
        "get_full_name",
        "job_title",
        "is_auditor",
        "is_moderator",
        "is_quality",
        "is_manager",
        "is_active",
    )
    list_filter = ("is_auditor", "is_moderator", "is_quality", "is_manager", "is_active", "teams")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("teams", "groups", "user_permissions")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Roles and teams",
            {"fields": ("job_title", "is_auditor", "is_moderator", "is_quality", "is_manager", "teams")},
        ),
        ("Auditing", {"fields": ("fte", "audit_frequency", "audits_per_month")}),
    )


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "service_area", "manager", "head_of_service", "monthly_target", "is_active")
    list_filter = ("service_area", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("manager", "head_of_service")
