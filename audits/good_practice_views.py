"""The QA team's good-practice page for one audit graded Good or Outstanding (seed 000, section 1.5).

The QA team only (403 for every other role); the audit is found through `audits_visible_to`, and one whose
final grade is not Good or Outstanding is not found (404): there is no good practice to record on it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from audits.good_practice_forms import GoodPracticeForm
from audits.good_practice_selectors import good_practice_of, good_practice_themes_offered
from audits.good_practice_services import GoodPracticeError, good_practice_allowed, good_practice_record
from audits.models import Audit
from audits.selectors import audits_visible_to
from audits.template_forms import error_links
from common.errors import show_error
from people.permissions import QualityRequiredMixin


class GoodPracticeEditView(QualityRequiredMixin, TemplateView):
    """Record or revise what the social worker says made the difference, and tick its learning themes."""

    template_name = "audits/good_practice_edit.html"

    @cached_property
    def audit(self) -> Audit:
        audit = get_object_or_404(
            audits_visible_to(self.request.user).select_related("child", "team"), pk=self.kwargs["pk"]
        )
        if not good_practice_allowed(audit):
            raise Http404("Good practice is recorded only on audits graded Good or Outstanding.")
        return audit

    @cached_property
    def record(self):
        return good_practice_of(self.audit)

    def get(self, request, *args, **kwargs):
        record = self.record
        initial = {"text": record.text, "themes": [t.pk for t in record.themes.all()]} if record else {}
        return self.render_page(GoodPracticeForm(initial=initial, themes=good_practice_themes_offered(record)))

    def post(self, request, *args, **kwargs):
        form = GoodPracticeForm(request.POST, themes=good_practice_themes_offered(self.record))
        if form.is_valid():
            try:
                good_practice_record(
                    audit=self.audit,
                    text=form.cleaned_data["text"],
                    theme_ids=form.cleaned_data["themes"],
                    by=request.user,
                )
            except GoodPracticeError as exc:
                show_error(request, exc, form=form)
            else:
                messages.success(request, "Good practice saved. It is listed in the report for the audit's month.")
                return redirect("audits:audit_detail", pk=self.audit.pk)
        return self.render_page(form, status=400)

    def render_page(self, form: GoodPracticeForm, status: int = 200):
        context = self.get_context_data(audit=self.audit, record=self.record, form=form, errors=error_links(form))
        return self.render_to_response(context, status=status)
