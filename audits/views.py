"""The auditor's My audits page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_filters.views import FilterView

from audits.filters import MyAuditFilter
from audits.models import Audit
from audits.selectors import audits_visible_to
from people.permissions import RoleRequiredMixin, has_role


class MyAuditsView(RoleRequiredMixin, FilterView):
    """The signed-in auditor's own allocations, newest month first, with their grade, the final grade
    and what moderation made of it, so an auditor can see how their past judgements stood.

    Auditors, and anyone else who has been given an audit: a practice week asks senior leaders and other
    staff without the auditor role to audit too (issue 13)."""

    template_name = "audits/my_audits.html"
    filterset_class = MyAuditFilter
    paginate_by = 25
    context_object_name = "audits"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not has_role(user, "auditor") and not Audit.objects.filter(auditor=user).exists():
            raise PermissionDenied("Your role does not include this page.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        return (
            audits_visible_to(user)
            .filter(auditor=user)
            # The moderation (a one-to-one, if sampled) comes in the same query, not one per row.
            .select_related("team", "child", "moderation")
            .order_by("-month", "due_on", "child__case_ref")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context
