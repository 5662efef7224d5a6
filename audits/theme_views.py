"""The QA team's list of learning themes: add, rename, retire and bring back (issue 14)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from audits.models import Theme
from audits.template_forms import error_links
from audits.theme_forms import ThemeForm
from audits.theme_selectors import themes_with_use
from audits.theme_services import ThemeError, theme_create, theme_set_active, theme_update
from people.permissions import QualityRequiredMixin


def _service_error(form: ThemeForm, error: ThemeError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


class ThemeListView(QualityRequiredMixin, TemplateView):
    """Every theme with how often it is used; the form at the foot adds one (POST)."""

    template_name = "audits/theme_list.html"

    def get(self, request, *args, **kwargs):
        return self.render_page(ThemeForm())

    def post(self, request, *args, **kwargs):
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                theme = theme_create(
                    name=form.cleaned_data["name"], strand=form.cleaned_data["strand"], by=request.user
                )
            except ThemeError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, f'Theme "{theme.name}" added. Auditors can tag it from now on.')
                return redirect("audits:theme_list")
        return self.render_page(form, status=400)

    def render_page(self, form: ThemeForm, status: int = 200):
        # list() runs the one query now; the template loops over the result twice (active, retired).
        themes = list(themes_with_use())
        context = self.get_context_data(
            form=form,
            active=[t for t in themes if t.is_active],
            retired=[t for t in themes if not t.is_active],
            errors=error_links(form),
        )
        return self.render_to_response(context, status=status)


class ThemeEditView(QualityRequiredMixin, TemplateView):
    """Rename a theme or set its strand; audits tagged with it follow. Shows the theme's history."""

    template_name = "audits/theme_edit.html"

    def get_theme(self) -> Theme:
        return get_object_or_404(Theme, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        theme = self.get_theme()
        return self.render_page(theme, ThemeForm(initial={"name": theme.name, "strand": theme.strand}))

    def post(self, request, *args, **kwargs):
        theme = self.get_theme()
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                theme_update(
                    theme=theme, name=form.cleaned_data["name"], strand=form.cleaned_data["strand"], by=request.user
                )
            except ThemeError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, f'Theme "{theme.name}" saved.')
                return redirect("audits:theme_list")
        return self.render_page(theme, form, status=400)

    def render_page(self, theme: Theme, form: ThemeForm, status: int = 200):
        history = list(theme.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
        context = self.get_context_data(theme=theme, form=form, history=history, errors=error_links(form))
        return self.render_to_response(context, status=status)


class ThemeActiveView(QualityRequiredMixin, View):
    """Retire a theme (POST) or bring it back: a retired theme is hidden from new audits, kept on old ones."""

    http_method_names = ["post"]
    active = False

    def post(self, request, pk):
        theme = get_object_or_404(Theme, pk=pk)
        theme_set_active(theme=theme, active=self.active, by=request.user)
        if self.active:
            messages.success(request, f'Theme "{theme.name}" is offered on audits again.')
        else:
            messages.success(
                request, f'Theme "{theme.name}" retired: new audits no longer offer it; audits tagged with it keep it.'
            )
        return redirect("audits:theme_list")
