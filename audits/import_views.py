"""The QA team's tracker import in the browser: upload, preview, confirm, progress, result and history.

Views are thin: the services in `audits.importer` check, import and record each run.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin
from django_htmx.http import HttpResponseClientRefresh

from audits.import_forms import ImportUploadForm
from audits.importer import (
    ACTION_OPTIONAL,
    ACTION_REQUIRED,
    AUDIT_OPTIONAL,
    AUDIT_REQUIRED,
    COUNT_LABELS,
    ImportRunError,
    example_tracker,
    import_run_preview,
    import_run_start,
    tracker_csv,
    tracker_header,
)
from audits.models import ImportRun, PracticeArea
from people.permissions import QualityRequiredMixin

PROBLEMS_PER_PAGE = 100


def _current_area_slugs() -> list[str]:
    return list(
        PracticeArea.objects.filter(template__is_current=True).order_by("order", "id").values_list("slug", flat=True)
    )


def count_rows(counts: dict) -> list[dict]:
    """The run's counts as table rows, in a fixed order, with readable labels."""
    rows = []
    for key, _singular, plural in COUNT_LABELS:
        value = counts.get(key) or {}
        rows.append(
            {
                "label": plural[0].upper() + plural[1:],
                "created": value.get("created", 0),
                "updated": value.get("updated", 0),
                "removed": value.get("removed", 0),
                "updatable": key not in ("teams", "service_areas", "users", "children"),
            }
        )
    return rows


class ImportUploadView(QualityRequiredMixin, FormView):
    template_name = "audits/import_upload.html"
    form_class = ImportUploadForm

    def form_valid(self, form):
        run = import_run_preview(
            by=self.request.user,
            audits_upload=form.cleaned_data["audits_file"],
            actions_upload=form.cleaned_data.get("actions_file"),
        )
        return redirect("audits:import_detail", pk=run.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area_slugs"] = _current_area_slugs()
        context["audit_required"] = AUDIT_REQUIRED
        context["audit_optional"] = AUDIT_OPTIONAL
        context["action_columns"] = (*ACTION_REQUIRED, *ACTION_OPTIONAL)
        return context


class ImportRunMixin(QualityRequiredMixin):
    model = ImportRun

    def get_queryset(self):
        return ImportRun.objects.select_related("by")


class ImportDetailView(ImportRunMixin, DetailView):
    """One run: its preview before confirmation, its progress while running, its result after."""

    template_name = "audits/import_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        context["count_rows"] = count_rows(run.counts)
        context["problems_page"] = Paginator(run.problems, PROBLEMS_PER_PAGE).get_page(self.request.GET.get("page"))
        context["can_confirm"] = run.status == ImportRun.Status.PREVIEWED and not run.problems
        return context


class ImportConfirmView(ImportRunMixin, SingleObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        run = self.get_object()
        try:
            import_run_start(run=run)
        except ImportRunError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("audits:import_detail", args=[run.pk]))


class ImportProgressView(ImportRunMixin, DetailView):
    """The progress bar, polled by htmx every second; when the run ends the whole page reloads with the result."""

    template_name = "audits/import_progress.html"
    context_object_name = "run"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not request.htmx:
            return redirect("audits:import_detail", pk=self.object.pk)
        if self.object.status != ImportRun.Status.RUNNING:
            return HttpResponseClientRefresh()
        return self.render_to_response(self.get_context_data(object=self.object))


class ImportHistoryView(QualityRequiredMixin, ListView):
    template_name = "audits/import_history.html"
    context_object_name = "runs"
    paginate_by = 25

    def get_queryset(self):
        # A failed run may list thousands of problems; the table needs only their number, kept in counts.
        return ImportRun.objects.select_related("by").defer("problems").order_by("-created_at", "-pk")


class ImportExampleView(QualityRequiredMixin, View):
    """A small example of each file, in the exact format, with the current template's area columns."""

    def get(self, request, which: str):
        if which not in ("audits", "actions"):
            raise Http404("There are example files for audits and for actions.")
        slugs = _current_area_slugs()
        audits, actions = example_tracker(6, seed=1, teams=2, area_slugs=slugs)
        if which == "actions":
            content = tracker_csv(actions, [*ACTION_REQUIRED, *ACTION_OPTIONAL])
        else:
            content = tracker_csv(audits, tracker_header(slugs))
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="example-{which}.csv"'
        return response
