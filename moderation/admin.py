"""Moderations in the admin: read-only, with their history.

Every change to a moderation must go through `moderation.services` (the final grade and the
Child of Concern workflow depend on it), so the admin only shows; the QA team changes the
sample on the moderation pages.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from moderation.models import ModeratedAreaGrade, Moderation
from people.permissions import has_role
from qa_portal.admin_site import GuardedHistoryMixin


class ModeratedAreaGradeInline(admin.TabularInline):
    model = ModeratedAreaGrade
    extra = 0
    can_delete = False
    readonly_fields = ("area", "grade")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Moderation)
class ModerationAdmin(GuardedHistoryMixin, SimpleHistoryAdmin):
    list_display = ("audit", "sample_reason", "status", "moderator", "due_on", "grade", "outcome", "moderated_on")
    list_filter = ("status", "sample_reason", "outcome", "audit__month")
    search_fields = ("audit__child__case_ref", "moderator__username", "audit__auditor__username")
    list_select_related = ("audit__child", "moderator")
    inlines = [ModeratedAreaGradeInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_module_permission(self, request):
        return has_role(request.user, "quality") or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, "quality") or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
