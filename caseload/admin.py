from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from caseload.models import Child, Flag
from qa_portal.admin_site import QualityTeamAdminMixin


@admin.register(Child)
class ChildAdmin(QualityTeamAdminMixin, SimpleHistoryAdmin):
    list_display = ("case_ref", "team", "legal_status", "social_worker", "is_open")
    list_filter = ("legal_status", "is_open", "flags", "team__service_area", "team")
    search_fields = ("case_ref",)
    autocomplete_fields = ("team", "social_worker")
    filter_horizontal = ("flags",)


@admin.register(Flag)
class FlagAdmin(QualityTeamAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)
