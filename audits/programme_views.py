"""The QA team's programme pages: the list, a programme's page (returns, grades, audits, findings), create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from audits.models import Programme
from audits.programme_forms import ProgrammeForm
from audits.programme_selectors import (
    AUDIT_LIST_LIMIT,
    programme_audits,
    programme_figures,
    programmes_with_counts,
)
from audits.programme_services import ProgrammeError, programme_create, programme_update
from audits.template_selectors import template_current
from people.permissions import QualityRequiredMixin


class ProgrammeListView(QualityRequiredMixin, TemplateView):
    template_name = "audits/programme_list.html"

    def get_context_data(self, **kwargs):
        # list() runs the one query here, not in the template's loop.
        return super().get_context_data(programmes=list(programmes_with_counts()), **kwargs)


class ProgrammeDetailView(QualityRequiredMixin, TemplateView):
    template_name = "audits/programme_detail.html"

    def get_context_data(self, **kwargs):
        programme = get_object_or_404(Programme.objects.select_related("owner"), slug=self.kwargs["slug"])
        return super().get_context_data(
            programme=programme,
            figures=programme_figures(programme),
            audits=programme_audits(programme),
            audit_limit=AUDIT_LIST_LIMIT,
            template=template_current(programme),
            **kwargs,
        )


class ProgrammeFormView(QualityRequiredMixin, TemplateView):
    """Create (no slug in the address) or edit a programme."""

    template_name = "audits/programme_form.html"

    def get_programme(self) -> Programme | None:
        slug = self.kwargs.get("slug")
        return None if slug is None else get_object_or_404(Programme, slug=slug)

    def get(self, request, *args, **kwargs):
        programme = self.get_programme()
        return self.render_to_response(self.get_context_data(form=ProgrammeForm(instance=programme)))

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        form = ProgrammeForm(request.POST, instance=programme)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.fields if not form.fields[name].disabled}
            try:
                if programme is None:
                    programme = programme_create(by=request.user, **values)
                else:
                    programme = programme_update(programme=programme, **values)
            except ProgrammeError as exc:
                form.add_error(exc.field, str(exc))
            else:
                messages.success(request, f"{programme.name} saved.")
                return redirect("audits:programme_detail", slug=programme.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(programme=self.get_programme(), **kwargs)
