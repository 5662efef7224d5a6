"""The monthly report's pages, for the QA team: the report, its narrative, its PDFs, its JSON and the drill-down.

Views are thin: they read a form, call one selector or service and render.
Everything here needs the quality role; the drill-down also starts from
`audits_visible_to`, so a guessed address never shows an audit out of scope.
"""

from __future__ import annotations

import datetime
import uuid
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views import View
from django.views.generic import TemplateView

from audits.models import Programme
from audits.selectors import ReportScope, audits_visible_to
from common.errors import show_error
from common.http_cache import private_cacheable
from common.periods import add_months, month_end, month_start, months_ending
from common.versioned_cache import cached_for_queryset, cached_rows_html
from people.permissions import QualityRequiredMixin
from reports import services
from reports.cache import cached, scope_key, version_token
from reports.filters import AuditDrilldownFilter
from reports.forms import AsOfForm, GenerateForm, NarrativeForm, ReportPeriodForm, ReportTargetsForm
from reports.links import document_page_url, quick_pick_links, report_url
from reports.models import ReportDocument, ReportNarrative, ReportTargets
from reports.period_forms import PeriodMonthsForm
from reports.periods import check_as_of, check_report_month
from reports.presenters import report_computed, report_context, summary_draft
from reports.selectors import first_data_month, published_period_documents, report_figures

DRILLDOWN_PAGE_SIZE = 50


def _month_from_address(year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise ValueError(f"There is no month {month}: months run from 1 to 12.")
    if not 1 <= year <= 9999:
        raise ValueError(f"There is no year {year}.")
    first = datetime.date(year, month, 1)
    check_report_month(first, timezone.localdate())
    return first


class ReportMonthMixin:
    """The report month from the address (`/reports/2026/10/`).

    An impossible month, or one outside the range a report can be made for, is not found, with a page
    (or, for the JSON, a body) that says which months there are.
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            self._report_month = _month_from_address(kwargs["year"], kwargs["month"])
        except ValueError as error:
            return self.month_not_found(str(error))
        return super().dispatch(request, *args, **kwargs)

    def month_not_found(self, message: str) -> HttpResponse:
        return TemplateResponse(
            self.request, "reports/month_not_found.html", {"message": message}, status=HTTPStatus.NOT_FOUND
        )

    def report_month(self) -> datetime.date:
        return self._report_month

    def report_as_of(self, month: datetime.date) -> tuple[datetime.date, AsOfForm]:
        form = AsOfForm(self.request.GET or None, month=month)
        if form.is_bound and form.is_valid():
            return form.cleaned_data["as_of"], form
        return month_end(month), form


def _query(*parts: str) -> str:
    joined = "&".join(part for part in parts if part)
    return f"?{joined}" if joined else ""


class ReportIndexView(QualityRequiredMixin, TemplateView):
    """The QA reports page: a month's report (choose a month and an as-of date; recent months; every published
    monthly PDF), a report over a period (its months, or a quick pick; its published PDFs, as the period page
    lists them) and the targets."""

    template_name = "reports/report_index.html"

    def get(self, request, *args, **kwargs):
        form = ReportPeriodForm(request.GET or None)
        if form.is_bound and form.is_valid():
            return redirect(report_url(form.cleaned_data["month"], form.cleaned_data["as_of"]))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        last_month = add_months(month_start(timezone.localdate()), -1)
        # Only months with audits to report on: a month before the authority's first is all zeros.
        first = first_data_month()
        context["recent_months"] = [m for m in reversed(months_ending(last_month, 12)) if first and m >= first]
        published = list(
            ReportDocument.objects.filter(month_to=None, published_at__isnull=False, status=ReportDocument.Status.READY)
            .select_related("published_by")
            .order_by("-month", "-published_at")[:24]
        )
        names = dict(Programme.objects.values_list("slug", "name")) if any(d.programme for d in published) else {}
        context["published"] = [(document, _scope_words(document, names)) for document in published]
        context["published_periods"] = published_period_documents()
        # Only the months of the period report's form: it is sent to the period report's page, which checks it.
        context["period_form"] = PeriodMonthsForm()
        context["quick_picks"] = quick_pick_links(timezone.localdate())
        return context


def _scope_words(document: ReportDocument, names: dict[str, str]) -> str:
    """A monthly PDF's scope in words, for the list of published reports; blank for the monthly audit's."""
    programme = {"": "", "all": "All programmes"}.get(document.programme, names.get(document.programme, ""))
    return ", ".join(part for part in (programme, document.service_area) if part)


class ReportDetailView(QualityRequiredMixin, ReportMonthMixin, TemplateView):
    template_name = "reports/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.report_month()
        as_of, as_of_form = self.report_as_of(month)
        scope = as_of_form.scope
        context.update(report_context(month, as_of, scope))
        document_scope = services.monthly_document_scope(scope)
        documents = list(
            ReportDocument.objects.filter(month=month, month_to=None, **document_scope)
            .select_related("requested_by", "published_by")
            .order_by("-created_at", "-pk")
        )
        as_of_query = "" if context["is_default_as_of"] else f"as_of={as_of.isoformat()}"
        context.update(
            as_of_form=as_of_form,
            documents=documents,
            # Each chart is its own file (ReportChartView), kept by the browser; the data version in its address
            # gives it a new one whenever the data changes, so a kept chart is never shown stale.
            chart_base_url=reverse("reports:detail", kwargs={"year": month.year, "month": month.month}) + "charts/",
            chart_query=_query(as_of_query, as_of_form.scope_query, f"v={version_token()}"),
            generate_form=GenerateForm(
                initial={"as_of": as_of.isoformat(), "request_key": uuid.uuid4(), **document_scope}
            ),
            protective_marking=settings.PROTECTIVE_MARKING,
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
            json_url=reverse("reports:json", kwargs={"year": month.year, "month": month.month})
            + _query(as_of_query, as_of_form.scope_query),
        )
        return context


class ReportJsonView(QualityRequiredMixin, ReportMonthMixin, View):
    """contracts.md section 2 as JSON, for Power BI and the like."""

    def month_not_found(self, message: str) -> HttpResponse:
        return JsonResponse({"errors": {"month": [message]}}, status=HTTPStatus.NOT_FOUND)

    def get(self, request, *args, **kwargs):
        month = self.report_month()
        form = AsOfForm(request.GET or None, month=month)
        if form.is_bound and not form.is_valid():
            return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
        as_of = form.cleaned_data["as_of"] if form.is_bound else month_end(month)
        scope = form.scope or ReportScope.monthly()
        figures = cached("figures", (month, as_of, scope_key(scope)), lambda: report_figures(month, as_of, scope))
        return JsonResponse(figures, json_dumps_params={"indent": 2})


class ReportChartView(QualityRequiredMixin, ReportMonthMixin, View):
    """One of the report's charts as an SVG file (`charts/returns.svg?as_of=…&programme=…`), for the page's <img>.

    Taken from the same cached report as the page (reports.presenters.report_computed), so it is never drawn twice.
    The same role and scope parameters as the report; a chart with nothing to draw, or no such chart, is not found.
    The browser may keep it (private, an hour, with an ETag): it holds aggregates only (common/http_cache.py).
    """

    def month_not_found(self, message: str) -> HttpResponse:
        return HttpResponse(message, status=HTTPStatus.NOT_FOUND, content_type="text/plain; charset=utf-8")

    def get(self, request, *args, name: str, **kwargs):
        month = self.report_month()
        form = AsOfForm(request.GET or None, month=month)
        if form.is_bound and not form.is_valid():
            raise Http404("No chart for these parameters.")
        as_of = form.cleaned_data["as_of"] if form.is_bound else month_end(month)
        chart = report_computed(month, as_of, form.scope)["charts"].get(name)
        if chart is None or not chart.has_data:
            raise Http404("No such chart.")
        return private_cacheable(request, str(chart.svg).encode(), "image/svg+xml")


class NarrativeEditView(QualityRequiredMixin, ReportMonthMixin, View):
    """The Head of Quality's four narrative sections for the month, saved as a draft (htmx autosaves)."""

    template_name = "reports/narrative_edit.html"

    def get(self, request, *args, **kwargs):
        month = self.report_month()
        narrative = ReportNarrative.objects.filter(month=month).first()
        return self._render(month, NarrativeForm(instance=narrative), narrative)

    def post(self, request, *args, **kwargs):
        month = self.report_month()
        form = NarrativeForm(request.POST)
        if not form.is_valid():
            narrative = ReportNarrative.objects.filter(month=month).first()
            if request.htmx:
                # 200, not 4xx: htmx swaps only successful responses, and the person must see why it was not saved.
                problems = " ".join(
                    f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
                    for name, errors in form.errors.items()
                    for error in errors
                )
                return HttpResponse(
                    format_html('<span class="text-danger">Not saved: {}</span>', problems), content_type="text/html"
                )
            return self._render(month, form, narrative, status=400)
        narrative = services.narrative_save(month=month, by=request.user, **form.cleaned_data)
        if request.htmx:
            return TemplateResponse(request, "reports/_narrative_saved.html", {"narrative": narrative})
        messages.success(request, f"Narrative for {month:%B %Y} saved as a draft.")
        return redirect(report_url(month) + "#summary")

    def _render(self, month, form, narrative, status=200):
        context = {
            "month": month,
            "form": form,
            "narrative": narrative,
            "report_url": report_url(month),
            "summary_draft": summary_draft(month),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


class TargetsEditView(QualityRequiredMixin, View):
    """The QA team's targets: each report shows its figures against them, in words and on its charts."""

    template_name = "reports/targets_edit.html"

    def get(self, request):
        targets = self._targets()
        return self._render(ReportTargetsForm(instance=targets), targets)

    def post(self, request):
        targets = self._targets()
        # A new row is the one row (its id is the singleton's), so the model's checks validate it as it will be saved.
        form = ReportTargetsForm(request.POST, instance=targets or ReportTargets(pk=ReportTargets.SINGLETON_PK))
        if form.is_valid():
            try:
                services.report_targets_save(by=request.user, **form.cleaned_data)
            except services.ReportError as error:
                show_error(request, error, form=form)
            else:
                messages.success(request, "Targets saved. The reports now show their figures against them.")
                return redirect("reports:targets")
        return self._render(form, targets, status=400)

    def _targets(self) -> ReportTargets | None:
        return ReportTargets.objects.select_related("updated_by").filter(pk=ReportTargets.SINGLETON_PK).first()

    def _render(self, form: ReportTargetsForm, targets: ReportTargets | None, status: int = 200) -> TemplateResponse:
        context = {"form": form, "targets": targets}
        return TemplateResponse(self.request, self.template_name, context, status=status)


class DocumentGenerateView(QualityRequiredMixin, ReportMonthMixin, View):
    """ "Generate PDF": queue one PDF (a double click gets the same one) and go back to the report,
    saying what happened: made already, being made here, queued for the worker, or waiting for it."""

    def post(self, request, *args, **kwargs):
        month = self.report_month()
        form = GenerateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The PDF could not be requested: reload the report page and try again.")
            return redirect(report_url(month))
        as_of = form.cleaned_data["as_of"]
        try:
            check_as_of(month, as_of, timezone.localdate())
            scope = form.scope
        except ValueError as error:
            messages.error(request, f"The PDF could not be requested: {error}")
            return redirect(report_url(month))
        document, created = services.report_document_request(
            month=month,
            as_of=as_of,
            by=request.user,
            request_key=form.cleaned_data["request_key"],
            **services.monthly_document_scope(scope),
        )
        document.refresh_from_db()  # The job may have started, finished or found no broker since.
        level, text = _request_outcome(document, created)
        messages.add_message(request, level, text)
        return redirect(report_url(month, as_of, scope) + "#documents")


def _request_outcome(document: ReportDocument, created: bool) -> tuple[int, str]:
    """The message after "Generate PDF", in words that match what actually happened."""
    name = f"PDF revision {document.revision}"
    status = ReportDocument.Status
    if document.status == status.READY:
        return messages.SUCCESS, f"{name} is ready: download it below."
    if document.status == status.FAILED:
        return messages.ERROR, f"{name} could not be made. {document.error}"
    if document.status == status.WAITING:
        return messages.WARNING, (
            f"{name} is saved, but the service that makes PDFs cannot be reached just now. It will be made "
            "automatically as soon as the service is back, usually within a few minutes; you do not need to "
            "click again."
        )
    if not created:
        return messages.INFO, f"{name} was already requested and is being made: its progress is shown below."
    return messages.SUCCESS, f"{name} is being made: its progress is shown below, and the download appears there."


def _quality_document(pk: int) -> ReportDocument:
    return get_object_or_404(ReportDocument.objects.select_related("requested_by", "published_by"), pk=pk)


class DocumentStatusView(QualityRequiredMixin, View):
    """The progress of one PDF, polled by htmx until it is ready or failed."""

    def get(self, request, pk: int):
        document = _quality_document(pk)
        context = {"document": document, "refresh_url": document_page_url(document)}
        response = TemplateResponse(request, "reports/_document_status.html", context)
        if request.htmx and document.status in (ReportDocument.Status.READY, ReportDocument.Status.FAILED):
            # Finished while the page watched: reload it once so the version list offers Publish as well.
            response["HX-Refresh"] = "true"
        return response


class DocumentDownloadView(QualityRequiredMixin, View):
    def get(self, request, pk: int):
        document = _quality_document(pk)
        if document.status != ReportDocument.Status.READY or not document.file:
            raise Http404("This PDF is not ready.")
        filename = document.file.name.rsplit("/", 1)[-1]
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)


class DocumentPublishView(QualityRequiredMixin, View):
    def post(self, request, pk: int):
        document = _quality_document(pk)
        try:
            services.report_document_publish(document=document, by=request.user)
        except services.ReportError as error:
            show_error(request, error)
        else:
            messages.success(request, f"Revision {document.revision} published.")
        return redirect(document_page_url(document) + "#documents")


# What a row of the drill-down list shows: an audit is some forty columns, its moderation and auditor more.
DRILLDOWN_COLUMNS = (
    "month",
    "legal_status",
    "status",
    "due_on",
    "submitted_on",
    "auditor_grade",
    "final_grade",
    "child__case_ref",
    "team__name",
    "auditor__username",
    "auditor__first_name",
    "auditor__last_name",
    "moderation__status",
    "moderation__grade",
)


class DrilldownView(QualityRequiredMixin, View):
    """The audits behind a number in the report, filtered as the number was counted."""

    template_name = "reports/drilldown_list.html"

    def get(self, request):
        queryset = (
            audits_visible_to(request.user)
            .select_related("team", "auditor", "child", "moderation")
            .only(*DRILLDOWN_COLUMNS)
            .order_by("-month", "team__name", "auditor__last_name", "id")
        )
        audit_filter = AuditDrilldownFilter(request.GET or None, queryset=queryset, request=request)
        context = {"filter": audit_filter}
        status = 200
        if audit_filter.is_bound and not audit_filter.is_valid():
            status = 400
        else:
            audits = audit_filter.qs
            paginator = Paginator(audits, DRILLDOWN_PAGE_SIZE)
            # The count and the page's rows are kept until the data changes (the same figure is opened often).
            unordered = audits.order_by()
            paginator.count = cached_for_queryset("drilldown-count", unordered, (), unordered.count)
            page = paginator.get_page(request.GET.get("page"))
            rows = cached_rows_html("drilldown-rows", page.object_list, "reports/_drilldown_rows.html", "audits")
            context.update(page=page, audits=page.object_list, total=paginator.count, rows=rows)
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return TemplateResponse(request, self.template_name, context, status=status)
