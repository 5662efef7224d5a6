"""The admin site, open to the QA team (Head of Quality role) as well as to staff.

The QA team maintains teams, staff, roles, children and the QA policy here;
only superusers can grant superuser or staff status or raw permissions.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from common.forms import SensibleDateField
from people.permissions import has_role


class QAAdminSite(admin.AdminSite):
    site_header = "QA Portal administration"
    site_title = "QA Portal administration"
    index_title = "Teams, staff, roles and settings"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or has_role(user, "quality"))


class GuardedHistoryMixin:
    """For a `SimpleHistoryAdmin`: the page of one past version obeys the same rules as the change form.

    django-simple-history's version page (`<id>/history/<version>/`) saves a POST after checking only
    view permission, so without this a read-only record could be rewritten ("reverted") through it.
    Its address also catches relative links from the change form, such as the password form's
    `../password/`, and an id that is not a number would fail in the query with a server error.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not str(version_id).isdigit():
            raise Http404("No such version.")
        if request.method == "POST":
            history = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
            version = history.objects.filter(**{self.model._meta.pk.attname: unquote(object_id)}, history_id=version_id)
            past = version.first()
            if past is None:
                raise Http404("No such version.")
            current = self.get_object(request, unquote(object_id))
            # Both the record as it stands and the version being brought back must be the user's to change.
            if not all(self.has_change_permission(request, obj) for obj in (current, past.instance) if obj is not None):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class SensibleDatesAdminMixin:
    """Dates typed in the admin fall in the span every page accepts (2000 to 2099): no exemption for year 1."""

    formfield_overrides = {models.DateField: {"form_class": SensibleDateField}}


class QualityTeamAdminMixin(SensibleDatesAdminMixin, GuardedHistoryMixin):
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
