"""Pages where the QA team keeps a programme's practice-area template: list, view, edit a draft, publish, discard.

The monthly audit's pages live at `templates/...`; another programme's at `programmes/<slug>/templates/...`,
under the same URL names (reversed with or without `programme`, see `audits_tags.template_url`).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from audits.models import Programme, TemplateVersion, monthly_programme
from audits.template_forms import DraftNameForm, area_formset, error_links
from audits.template_selectors import (
    STATUS_DRAFT,
    template_changes,
    template_current,
    template_current_number,
    template_status,
    template_versions_with_counts,
)
from audits.templates_services import (
    TemplateError,
    template_create_draft,
    template_discard_draft,
    template_publish,
    template_update_draft,
)
from common.errors import show_error
from people.permissions import QualityRequiredMixin


class ProgrammeMixin(QualityRequiredMixin):
    """The programme whose template the page is about: the slug in the URL, or the monthly audit."""

    def get_programme(self) -> Programme:
        if not hasattr(self, "_programme"):
            slug = self.kwargs.get("programme")
            self._programme = monthly_programme() if slug is None else get_object_or_404(Programme, slug=slug)
        return self._programme

    def programme_kwargs(self) -> dict:
        programme = self.get_programme()
        return {} if programme.is_monthly else {"programme": programme.slug}

    def get_context_data(self, **kwargs):
        # The URL's own `programme` (the slug) arrives in kwargs too: the page wants the Programme.
        return super().get_context_data(**{**kwargs, "programme": self.get_programme()})


class VersionMixin(ProgrammeMixin):
    """Loads the version named by its number in the URL, with its status (current, draft or superseded)."""

    def get_version(self) -> TemplateVersion:
        if not hasattr(self, "_version"):
            self._version = get_object_or_404(
                TemplateVersion.objects.select_related("created_by", "programme"),
                programme=self.get_programme(),
                number=self.kwargs["number"],
            )
            self._version.status = template_status(self._version, template_current_number(self.get_programme()))
        return self._version

    def redirect_unless_draft(self) -> HttpResponseRedirect | None:
        version = self.get_version()
        if version.status != STATUS_DRAFT:
            messages.info(self.request, f"Version {version.number} has been published and cannot be changed.")
            return redirect("audits:template_detail", number=version.number, **self.programme_kwargs())
        return None


class TemplateListView(ProgrammeMixin, TemplateView):
    template_name = "audits/template_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current_number = template_current_number(self.get_programme())
        # list() runs the query now, so the loop below and the template share one result.
        versions = list(template_versions_with_counts(self.get_programme()))
        for version in versions:
            version.status = template_status(version, current_number)
        context["versions"] = versions
        context["draft"] = next((v for v in versions if v.status == STATUS_DRAFT), None)
        return context


class TemplateDetailView(VersionMixin, TemplateView):
    template_name = "audits/template_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.get_version()
        context["version"] = version
        context["areas"] = list(version.areas.all())
        if version.status == STATUS_DRAFT:
            context["base"] = template_current(self.get_programme())
            context["changes"] = template_changes(version, context["base"])
        return context


class TemplateCreateDraftView(ProgrammeMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            draft = template_create_draft(by=request.user, programme=self.get_programme())
        except TemplateError as exc:
            show_error(request, exc)
            return redirect("audits:template_list", **self.programme_kwargs())
        messages.success(request, f"Draft version {draft.number} started as a copy of the current version.")
        return redirect("audits:template_edit", number=draft.number, **self.programme_kwargs())


class TemplateEditView(VersionMixin, TemplateView):
    template_name = "audits/template_edit.html"

    def get(self, request, *args, **kwargs):
        return self.redirect_unless_draft() or self.render_forms(
            DraftNameForm(initial={"name": self.get_version().name}), area_formset(self.get_version())
        )

    def post(self, request, *args, **kwargs):
        if response := self.redirect_unless_draft():
            return response
        version = self.get_version()
        name_form = DraftNameForm(request.POST)
        formset = area_formset(version, data=request.POST)
        if name_form.is_valid() and formset.is_valid():
            try:
                template_update_draft(version=version, name=name_form.cleaned_data["name"], areas=formset.draft_areas())
            except TemplateError as exc:
                show_error(request, exc, form=name_form)
            else:
                messages.success(request, f"Draft version {version.number} saved. It is not used until you publish it.")
                return redirect("audits:template_detail", number=version.number, **self.programme_kwargs())
        return self.render_forms(name_form, formset, status=400)

    def render_forms(self, name_form, formset, status: int = 200):
        context = self.get_context_data(
            version=self.get_version(),
            name_form=name_form,
            formset=formset,
            errors=error_links(name_form, formset),
        )
        return self.render_to_response(context, status=status)


class TemplateConfirmView(VersionMixin, TemplateView):
    """A confirmation page (GET) and the change itself (POST), for publishing or discarding a draft."""

    template_name = "audits/template_confirm.html"
    action = ""  # "publish" or "discard"

    TEXT = {
        "publish": {
            "title": "Publish version {number}",
            "explanation": (
                "Allocations made from now on will use version {number}. Audits already allocated keep "
                "the version they were allocated with, so their grades and evidence are never rewritten."
            ),
            "button": "Publish version {number}",
            "button_class": "btn-primary",
        },
        "discard": {
            "title": "Discard draft version {number}",
            "explanation": "The draft and its practice areas will be deleted. The current version is not affected.",
            "button": "Discard draft version {number}",
            "button_class": "btn-danger",
        },
    }

    def get(self, request, *args, **kwargs):
        if response := self.redirect_unless_draft():
            return response
        number = self.get_version().number
        text = {key: value.format(number=number) for key, value in self.TEXT[self.action].items()}
        return self.render_to_response(self.get_context_data(version=self.get_version(), text=text))

    def post(self, request, *args, **kwargs):
        if response := self.redirect_unless_draft():
            return response
        version = self.get_version()
        try:
            if self.action == "publish":
                template_publish(version=version, by=request.user)
                messages.success(
                    request,
                    f"Version {version.number} is now current. New allocations use it; "
                    "audits already allocated keep their version.",
                )
            else:
                template_discard_draft(version=version)
                messages.success(request, f"Draft version {version.number} discarded.")
        except TemplateError as exc:
            show_error(request, exc)
            return redirect(reverse("audits:template_list", kwargs=self.programme_kwargs()))
        return redirect("audits:template_list", **self.programme_kwargs())
