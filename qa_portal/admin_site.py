"""The admin site, open to the QA team (Head of Quality role) as well as to staff.

The QA team maintains teams, staff, roles, children and the QA policy here;
only superusers can grant superuser or staff status or raw permissions.
"""

from django.contrib import admin

from people.permissions import has_role


class QAAdminSite(admin.AdminSite):
    site_header = "QA Portal administration"
    site_title = "QA Portal administration"
    index_title = "Teams, staff, roles and settings"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or has_role(user, "quality"))


class QualityTeamAdminMixin:
    """ModelAdmin permissions for the QA team: view, add and change; deleting stays with superusers."""

    def _is_quality(self, request) -> bool:
        return has_role(request.user, "quality")

    def has_module_permission(self, request):
        return self._is_quality(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_quality(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._is_quality(request) or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._is_quality(request) or super().has_change_permission(request, obj)
