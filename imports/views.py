"""The QA team's tracker import in the browser: upload, preview, confirm, progress, result and history.

Views are thin: the services in `imports.services` check, import and record each run.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin
from django_htmx.http import HttpResponseClientRefresh

from audits.models import PracticeArea
from common.errors import show_error
from imports.examples import example_caseload, example_staff, example_tracker, list_header, tracker_csv, tracker_header
from imports.filters import ImportRunSort
from imports.forms import ImportUploadForm, ListImportUploadForm
from imports.lists import CASELOAD_REQUIRED, STAFF_REQUIRED
from imports.models import ImportRun
from imports.rows import ACTION_OPTIONAL, ACTION_REQUIRED, AUDIT_OPTIONAL, AUDIT_REQUIRED, count_labels
from imports.services import ImportRunError, import_run_preview, import_run_start
from people.permissions import QualityRequiredMixin

PROBLEMS_PER_PAGE = 100


def _current_area_slugs() -> list[str]:
    return list(
        PracticeArea.objects.filter(template__is_current=True, template__programme__kind="monthly")
        .order_by("order", "id")
        .values_list("slug", flat=True)
    )


def count_rows(counts: dict, kind: str = "tracker") -> list[dict]:
    """The run's counts as table rows, in a fixed order, with readable labels. The last column is "removed" for a
    tracker and "closed" (children closed, people stopped) for a caseload or staff list."""
    not_updated = {
        "tracker": ("teams", "service_areas", "users", "children"),
        "caseload": ("teams", "service_areas", "users", "flags"),
        "staff": (),
    }[kind]
    last = "removed" if kind == "tracker" else "closed"
    rows = []
    for key, _singular, plural in count_labels(kind):
        value = counts.get(key) or {}
        rows.append(
            {
                "label": plural[0].upper() + plural[1:],
                "created": value.get("created", 0),
                "updated": value.get("updated", 0),
                "removed": value.get(last, 0),
                "updatable": key not in not_updated,
                "closable": key not in not_updated if kind == "tracker" else key == ImportRun.MAIN_RECORD[kind],
            }
        )
    return rows


EXAMPLE_ROWS = {"caseload": 40, "staff": 30}


class ListImportUploadView(QualityRequiredMixin, FormView):
    """The caseload or the staff list (contracts.md section 4), beside the tracker import: the same runs."""

    template_name = "imports/import_list_upload.html"
    form_class = ListImportUploadForm
    kind = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kind": self.kind}

    def form_valid(self, form):
        run = import_run_preview(
            by=self.request.user,
            audits_upload=form.cleaned_data["file"],
            kind=self.kind,
            full=form.cleaned_data["full"],
        )
        return redirect("imports:detail", pk=run.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind"] = self.kind
        context["title"] = "Import the caseload" if self.kind == "caseload" else "Import the staff list"
        context["required"] = CASELOAD_REQUIRED if self.kind == "caseload" else STAFF_REQUIRED
        return context


class ImportUploadView(QualityRequiredMixin, FormView):
    template_name = "imports/import_upload.html"
    form_class = ImportUploadForm

    def form_valid(self, form):
        run = import_run_preview(
            by=self.request.user,
            audits_upload=form.cleaned_data["audits_file"],
            actions_upload=form.cleaned_data.get("actions_file"),
        )
        return redirect("imports:detail", pk=run.pk)

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

    template_name = "imports/import_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        context["count_rows"] = count_rows(run.counts, run.kind)
        context["problems_page"] = Paginator(run.problems, PROBLEMS_PER_PAGE).get_page(self.request.GET.get("page"))
        # Warnings are listed only for files without problems, so the two lists never share the page.
        context["warnings_page"] = Paginator(run.warnings, PROBLEMS_PER_PAGE).get_page(self.request.GET.get("page"))
        context["warnings_total"] = run.counts.get("warnings", len(run.warnings))
        context["can_confirm"] = run.status == ImportRun.Status.PREVIEWED and not run.problems
        return context


class ImportConfirmView(ImportRunMixin, SingleObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        run = self.get_object()
        try:
            import_run_start(run=run)
        except ImportRunError as exc:
            show_error(request, exc)
        return HttpResponseRedirect(reverse("imports:detail", args=[run.pk]))


class ImportProgressView(ImportRunMixin, DetailView):
    """The progress bar of a check or an import, polled by htmx every second; when it ends the page reloads."""

    template_name = "imports/import_progress.html"
    context_object_name = "run"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not request.htmx:
            return redirect("imports:detail", pk=self.object.pk)
        if self.object.status not in (ImportRun.Status.CHECKING, ImportRun.Status.RUNNING):
            return HttpResponseClientRefresh()
        return self.render_to_response(self.get_context_data(object=self.object))


class ImportHistoryView(QualityRequiredMixin, ListView):
    template_name = "imports/import_history.html"
    context_object_name = "runs"
    paginate_by = 25

    def get_queryset(self):
        # A failed run may list thousands of problems; the table needs only their number, kept in counts.
        runs = ImportRun.objects.select_related("by").defer("problems").order_by("-created_at", "-pk")
        self.filterset = ImportRunSort(self.request.GET, queryset=runs)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class ImportExampleView(QualityRequiredMixin, View):
    """A small example of each file, in the exact format, with the current template's area columns."""

    def get(self, request, which: str):
        if which not in ("audits", "actions", "caseload", "staff"):
            raise Http404("There are example files for audits, actions, the caseload and the staff list.")
        if which in EXAMPLE_ROWS:
            rows = example_caseload(40, staff=30) if which == "caseload" else example_staff(30)
            content = tracker_csv(rows, list_header(which))
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="example-{which}.csv"'
            return response
        slugs = _current_area_slugs()
        audits, actions = example_tracker(6, seed=1, teams=2, area_slugs=slugs)
        if which == "actions":
            content = tracker_csv(actions, [*ACTION_REQUIRED, *ACTION_OPTIONAL])
        else:
            content = tracker_csv(audits, tracker_header(slugs))
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="example-{which}.csv"'
        return response
