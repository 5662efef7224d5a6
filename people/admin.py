from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from people.models import ServiceArea, Team, User
from qa_portal.admin_site import QualityTeamAdminMixin

ROLE_FIELDS = ("job_title", "is_auditor", "is_moderator", "is_quality", "is_manager", "teams")
AUDITING_FIELDS = ("fte", "audit_frequency", "audits_per_month")


@admin.register(User)
class UserAdmin(QualityTeamAdminMixin, BaseUserAdmin, SimpleHistoryAdmin):
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

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            access = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")
        else:
            # The QA team manages roles and teams, never superuser/staff status or raw permissions.
            access = ("is_active",)
        return (
            (None, {"fields": ("username", "password")}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Roles and teams", {"fields": ROLE_FIELDS}),
            ("Auditing", {"fields": AUDITING_FIELDS}),
            ("Access", {"fields": access}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return ("last_login", "date_joined")


@admin.register(ServiceArea)
class ServiceAreaAdmin(QualityTeamAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(QualityTeamAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "service_area", "manager", "head_of_service", "monthly_target", "is_active")
    list_filter = ("service_area", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("manager", "head_of_service")
