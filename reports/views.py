"""The monthly report's pages, for the QA team: the report, its narrative, its PDFs, its JSON and the drill-down.

Views are thin: they read a form, call one selector or service and render.
Everything here needs the quality role; the drill-down also starts from
`audits_visible_to`, so a guessed address never shows an audit out of scope.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from audits.selectors import audits_visible_to
from people.permissions import QualityRequiredMixin
from reports import services
from reports.filters import AuditDrilldownFilter
from reports.forms import AsOfForm, GenerateForm, NarrativeForm, ReportPeriodForm
from reports.models import ReportDocument, ReportNarrative
from reports.periods import add_months, month_end, month_start, months_ending
from reports.presenters import report_context
from reports.selectors import report_figures

DRILLDOWN_PAGE_SIZE = 50


def report_url(month: datetime.date, as_of: datetime.date | None = None) -> str:
    url = reverse("reports:detail", kwargs={"year": month.year, "month": month.month})
    if as_of and as_of != month_end(month):
        url += f"?as_of={as_of.isoformat()}"
    return url


class ReportMonthMixin:
    """The report month from the address (`/reports/2026/10/`); an impossible month is not found."""

    def report_month(self) -> datetime.date:
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not (1 <= month <= 12 and 1990 <= year <= 2200):
            raise Http404("No such month.")
        return datetime.date(year, month, 1)

    def report_as_of(self, month: datetime.date) -> tuple[datetime.date, AsOfForm]:
        form = AsOfForm(self.request.GET or None, month=month)
        if form.is_bound and form.is_valid():
            return form.cleaned_data["as_of"], form
        return month_end(month), form


class ReportIndexView(QualityRequiredMixin, TemplateView):
    """Choose a month (and an as-of date); lists recent months and every published PDF."""

    template_name = "reports/report_index.html"

    def get(self, request, *args, **kwargs):
        form = ReportPeriodForm(request.GET or None)
        if form.is_bound and form.is_valid():
            return redirect(report_url(form.cleaned_data["month"], form.cleaned_data["as_of"]))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        last_month = add_months(month_start(timezone.localdate()), -1)
        context["recent_months"] = list(reversed(months_ending(last_month, 12)))
        context["published"] = list(
            ReportDocument.objects.filter(published_at__isnull=False)
            .select_related("published_by")
            .order_by("-month", "-published_at")[:24]
        )
        return context


class ReportDetailView(QualityRequiredMixin, ReportMonthMixin, TemplateView):
    template_name = "reports/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.report_month()
        as_of, as_of_form = self.report_as_of(month)
        context.update(report_context(month, as_of))
        documents = list(
            ReportDocument.objects.filter(month=month)
            .select_related("requested_by", "published_by")
            .order_by("-created_at", "-pk")
        )
        context.update(
            as_of_form=as_of_form,
            documents=documents,
            generate_form=GenerateForm(
                initial={
                    "as_of": as_of.isoformat(),
                    "revision": services.report_document_next_revision(month=month, as_of=as_of),
                }
            ),
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
            json_url=reverse("reports:json", kwargs={"year": month.year, "month": month.month})
            + ("" if context["is_default_as_of"] else f"?as_of={as_of.isoformat()}"),
        )
        return context


class ReportJsonView(QualityRequiredMixin, ReportMonthMixin, View):
    """contracts.md section 2 as JSON, for Power BI and the like."""

    def get(self, request, *args, **kwargs):
        month = self.report_month()
        form = AsOfForm(request.GET or None, month=month)
        if form.is_bound and not form.is_valid():
            return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
        as_of = form.cleaned_data["as_of"] if form.is_bound else month_end(month)
        return JsonResponse(report_figures(month, as_of), json_dumps_params={"indent": 2})


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
                return HttpResponse(
                    '<span class="text-danger">Not saved: check the form.</span>', status=422, content_type="text/html"
                )
            return self._render(month, form, narrative, status=400)
        narrative = services.narrative_save(month=month, by=request.user, **form.cleaned_data)
        if request.htmx:
            return TemplateResponse(request, "reports/_narrative_saved.html", {"narrative": narrative})
        messages.success(request, f"Narrative for {month:%B %Y} saved as a draft.")
        return redirect(report_url(month) + "#summary")

    def _render(self, month, form, narrative, status=200):
        context = {"month": month, "form": form, "narrative": narrative, "report_url": report_url(month)}
        return TemplateResponse(self.request, self.template_name, context, status=status)


class DocumentGenerateView(QualityRequiredMixin, ReportMonthMixin, View):
    """ "Generate PDF": queue one PDF (a double click gets the same one) and go back to the report."""

    def post(self, request, *args, **kwargs):
        month = self.report_month()
        form = GenerateForm(request.POST)
        if not form.is_valid() or form.cleaned_data["as_of"] < month:
            messages.error(request, "The PDF could not be requested: reload the report page and try again.")
            return redirect(report_url(month))
        as_of = form.cleaned_data["as_of"]
        document, created = services.report_document_request(
            month=month, as_of=as_of, by=request.user, revision=form.cleaned_data["revision"]
        )
        if created:
            messages.success(request, f"PDF revision {document.revision} requested. It will appear below when ready.")
        else:
            messages.info(request, f"PDF revision {document.revision} was already requested.")
        return redirect(report_url(month, as_of) + "#documents")


def _quality_document(pk: int) -> ReportDocument:
    return get_object_or_404(ReportDocument.objects.select_related("requested_by", "published_by"), pk=pk)


class DocumentStatusView(QualityRequiredMixin, View):
    """The progress of one PDF, polled by htmx until it is ready or failed."""

    def get(self, request, pk: int):
        document = _quality_document(pk)
        context = {"document": document, "refresh_url": report_url(document.month, document.as_of)}
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
            messages.error(request, str(error))
        else:
            messages.success(request, f"Revision {document.revision} published.")
        return redirect(report_url(document.month, document.as_of) + "#documents")


class DrilldownView(QualityRequiredMixin, View):
    """The audits behind a number in the report, filtered as the number was counted."""

    template_name = "reports/drilldown_list.html"

    def get(self, request):
        queryset = (
            audits_visible_to(request.user)
            .select_related("team", "auditor", "child", "moderation")
            .order_by("-month", "team__name", "auditor__last_name", "id")
        )
        audit_filter = AuditDrilldownFilter(request.GET or None, queryset=queryset, request=request)
        context = {"filter": audit_filter}
        status = 200
        if audit_filter.is_bound and not audit_filter.is_valid():
            status = 400
        else:
            page = Paginator(audit_filter.qs, DRILLDOWN_PAGE_SIZE).get_page(request.GET.get("page"))
            context.update(page=page, audits=list(page.object_list), total=page.paginator.count)
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return TemplateResponse(request, self.template_name, context, status=status)
