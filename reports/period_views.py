"""The period report's pages (contracts.md section 3) for the QA team: the report over any run of whole
months with the monthly report's drill-down links, its JSON, and its PDFs through the same Celery job.

Views are thin: the form checks the months and the scope, the figures come from `reports.period`, the PDF
request from `reports.services`. The same role as the monthly report (the quality role).
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from audits.selectors import report_scope_from
from common.periods import month_end
from people.permissions import QualityRequiredMixin
from reports import services
from reports.links import document_page_url, period_url, quick_pick_links
from reports.models import ReportDocument
from reports.period import ALL_PROGRAMMES, period_figures, quick_picks
from reports.period_forms import PeriodReportForm
from reports.period_tables import period_report_context
from reports.selectors import published_period_documents


def _errors(form: PeriodReportForm) -> dict[str, list[str]]:
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


class PeriodReportView(QualityRequiredMixin, TemplateView):
    """Pick a period (or a quick pick) and a scope; the report's tables, each figure linked to its audits."""

    template_name = "reports/period_report.html"

    def get(self, request, *args, **kwargs):
        form = PeriodReportForm(request.GET or None)
        context = self.get_context_data(form=form)
        status = HTTPStatus.OK
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            first, last = data["from_month"], data["to_month"]
            scope = {"programme": data["programme"], "service_area": data["service_area"]}
            context.update(
                period_report_context(first, last, **{**scope, "service_area": scope["service_area"] or None})
            )
            context.update(
                json_url=period_url(first, last, **scope, name="reports:period_json"),
                generate_form_initial={"request_key": uuid.uuid4()},
                documents=list(
                    ReportDocument.objects.filter(month=first, month_to=last, **scope)
                    .select_related("requested_by", "published_by")
                    .order_by("-created_at", "-pk")
                ),
                scope=scope,
            )
        elif form.is_bound:
            status = HTTPStatus.BAD_REQUEST
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quick_picks"] = quick_pick_links(timezone.localdate())
        context["protective_marking"] = settings.PROTECTIVE_MARKING
        context["published"] = published_period_documents()
        return context


class PeriodJsonView(QualityRequiredMixin, View):
    """contracts.md section 3 as JSON (for Power BI and the like); bad months or scope answer 400 with messages.

    The address alone (no months) redirects to last quarter's, so the months a figure covers are always in the URL.
    """

    def get(self, request):
        if not request.GET:
            pick = next(pick for pick in quick_picks(timezone.localdate()) if pick.key == "last_quarter")
            return redirect(period_url(pick.first, pick.last, name="reports:period_json"))
        form = PeriodReportForm(request.GET)
        if not form.is_valid():
            return JsonResponse({"errors": _errors(form)}, status=HTTPStatus.BAD_REQUEST)
        data = form.cleaned_data
        scope = report_scope_from(
            programme=data["programme"], service_area=data["service_area"] or None, default=ALL_PROGRAMMES
        )
        figures = period_figures(data["from_month"], data["to_month"], scope)
        return JsonResponse(figures, json_dumps_params={"indent": 2})


class PeriodGenerateView(QualityRequiredMixin, View):
    """ "Generate PDF" for the period: one PDF per request key, through the monthly report's Celery job."""

    def post(self, request):
        form = PeriodReportForm(request.POST)
        try:
            request_key = uuid.UUID(request.POST.get("request_key", ""))
        except ValueError:
            request_key = None
        if not form.is_valid() or request_key is None:
            messages.error(request, "The PDF could not be requested: reload the period report and try again.")
            return redirect(reverse("reports:period"))
        data = form.cleaned_data
        first, last = data["from_month"], data["to_month"]
        document, created = services.report_document_request(
            month=first,
            month_to=last,
            as_of=month_end(last),
            programme=data["programme"],
            service_area=data["service_area"],
            by=request.user,
            request_key=request_key,
        )
        document.refresh_from_db()  # The job may have started, finished or found no broker since.
        from reports.views import _request_outcome

        level, text = _request_outcome(document, created)
        messages.add_message(request, level, text)
        return redirect(document_page_url(document) + "#documents")
