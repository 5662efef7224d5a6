from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from allocation.models import Exemption
from qa_portal.admin_site import QualityTeamAdminMixin


@admin.register(Exemption)
class ExemptionAdmin(QualityTeamAdminMixin, SimpleHistoryAdmin):
    list_display = ("user", "kind", "month", "reason", "approved_by", "is_active")
    list_filter = ("kind", "reason", "is_active")
    search_fields = ("user__username", "user__last_name")
    autocomplete_fields = ("user",)
