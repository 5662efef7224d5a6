from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from people.models import ServiceArea, Team, User
from people.permissions import may_manage_account
from qa_portal.admin_site import QualityTeamAdminMixin

ROLE_FIELDS = ("job_title", "is_auditor", "is_moderator", "is_quality", "is_manager", "teams")
AUDITING_FIELDS = ("fte", "audit_frequency", "audits_per_month")


class PasswordSummaryWidget(ReadOnlyPasswordHashWidget):
    """Django's password summary, with its button linking to the account's password form by full address.

    Django's own button links to `../password/`, which is right only from the change form: from
    a version in the history (`<id>/history/<version>/`) it leads to `<id>/history/password/`.
    """

    password_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["password_url"] = self.password_url
        return context


class AccountChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None and self.instance.pk:
            password.widget = PasswordSummaryWidget()
            password.widget.password_url = reverse("admin:auth_user_password_change", args=[self.instance.pk])


OUTRANKED_MESSAGE = (
    "This account has rights you do not have (a superuser, a staff administrator, the QA role or a raw "
    "permission), so only someone with those rights can change it or its password. It is shown read-only."
)


@admin.register(User)
class UserAdmin(QualityTeamAdminMixin, BaseUserAdmin, SimpleHistoryAdmin):
    form = AccountChangeForm
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
        # An account the user may not change shows no password button: it would only lead to "forbidden".
        sign_in = ("username", "password") if self.has_change_permission(request, obj) else ("username",)
        return (
            (None, {"fields": sign_in}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Roles and teams", {"fields": ROLE_FIELDS}),
            ("Auditing", {"fields": AUDITING_FIELDS}),
            ("Access", {"fields": access}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ("last_login", "date_joined")
        if not (request.user.is_superuser or request.user.is_quality):
            # Staff with raw permissions but without the QA role cannot hand that role out.
            readonly += ("is_quality",)
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An account shown read-only says why, so the QA team is not left looking for a missing Save button."""
        target = self.get_object(request, unquote(object_id))
        if request.method == "GET" and target is not None and not may_manage_account(request.user, target):
            messages.info(request, OUTRANKED_MESSAGE)
        return super().change_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        target = self.get_object(request, unquote(id))
        if target is not None and not may_manage_account(request.user, target):
            raise PermissionDenied(OUTRANKED_MESSAGE)
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request, obj=None):
        """The change form, the password form and reverting a version: never for an account that
        outranks the person asking (a superuser, a staff administrator, more permissions); those
        accounts stay visible, read-only."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_manage_account(request.user, obj)


@admin.register(ServiceArea)
class ServiceAreaAdmin(QualityTeamAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(QualityTeamAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "service_area", "manager", "head_of_service", "monthly_target", "is_active")
    list_filter = ("service_area", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("manager", "head_of_service")
