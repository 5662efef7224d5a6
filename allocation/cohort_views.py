"""The QA team's pages for a themed audit, dip sample or practice week: its cohort, sample and allocation, and a
practice week's returns and grades.

Views parse a form, call one service and redirect; the rules are in allocation/cohort_services.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from allocation.cohort_forms import CohortRulesForm, LineAddForm, LineReassignForm, LineSwapForm, SampleForm
from allocation.cohort_selectors import (
    CohortRules,
    cohort_for,
    cohort_size,
    is_practice_week,
    programme_audit_rows,
    programme_month,
    programme_returns,
    programme_status_counts,
    sample_lines,
)
from allocation.cohort_services import (
    cohort_confirm,
    cohort_draw_sample,
    cohort_save_rules,
    sample_line_add,
    sample_line_reassign,
    sample_line_remove,
    sample_line_swap_child,
)
from allocation.forms import add_service_error, error_summary
from allocation.line_views import LineEditView, LineRemoveView, line_added, messages_of
from allocation.models import Cohort, SampleLine
from allocation.services import AllocationError
from audits.models import Programme
from common.figures import percent
from people.permissions import QualityRequiredMixin

# Lines of the sample shown on one page.
LINES_PER_PAGE = 100


def cohort_url(programme: Programme, anchor: str = "") -> str:
    return reverse("allocation:cohort", kwargs={"slug": programme.slug}) + (f"#{anchor}" if anchor else "")


class ProgrammeMixin(QualityRequiredMixin):
    """The programme named in the URL; the monthly audit has its own allocation pages and is not found here."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.slug = kwargs["slug"]

    @cached_property
    def programme(self) -> Programme:
        return get_object_or_404(Programme.objects.exclude(kind=Programme.Kind.MONTHLY), slug=self.slug)

    @cached_property
    def cohort(self) -> Cohort | None:
        return cohort_for(self.programme)


class CohortView(ProgrammeMixin, TemplateView):
    """The cohort's rules and live size, the sample, its proposed auditors, and, once confirmed, its audits."""

    template_name = "allocation/cohort.html"

    def get(self, request, *args, **kwargs):
        if "preview" in request.GET:
            # The rules as the QA team is choosing them, before they are saved: the size updates as they change.
            form = CohortRulesForm(request.GET)
            rules = form.rules() if form.is_valid() else None
            if request.htmx:
                size = cohort_size(rules) if rules is not None else None
                return self.response_class(
                    request=request,
                    template="allocation/_cohort_size.html",
                    context={"size": size, "preview": True, "rules_form": form},
                )
            return self.render_to_response(self.get_context_data(rules_form=form, preview_rules=rules))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, *, rules_form=None, preview_rules=None, sample_form=None, add_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        programme, cohort = self.programme, self.cohort
        saved_rules = CohortRules.of(cohort)
        rules_form = rules_form or CohortRulesForm(initial=CohortRulesForm.initial_from(saved_rules))
        sample_form = sample_form or SampleForm(prefix="sample")
        add_form = add_form or LineAddForm(prefix="add", programme=programme)
        confirmed = cohort is not None and cohort.status == Cohort.Status.CONFIRMED
        lines_page = None
        if not confirmed:
            # A sample of hundreds is edited a page at a time, so the page stays quick whatever its size.
            lines_page = Paginator(sample_lines(cohort), LINES_PER_PAGE).get_page(self.request.GET.get("page"))
        lines = list(lines_page.object_list) if lines_page else []
        size = cohort_size(preview_rules if preview_rules is not None else saved_rules)
        drawn_of = cohort.size_when_drawn if cohort is not None and cohort.size_when_drawn is not None else size
        # Once confirmed, the audits are counted here and listed on the programme's page.
        status_counts = programme_status_counts(programme) if confirmed else None
        sampled = status_counts["allocated"] if confirmed else lines_page.paginator.count
        context.update(
            programme=programme,
            cohort=cohort,
            confirmed=confirmed,
            practice_week=is_practice_week(programme),
            rules_form=rules_form,
            sample_form=sample_form,
            add_form=add_form,
            size=size,
            preview=preview_rules is not None,
            sampled=sampled,
            sampled_of=drawn_of,
            sampled_percent=percent(sampled, drawn_of) if sampled else None,
            lines=lines,
            lines_page=lines_page,
            unassigned=sample_lines(cohort).filter(auditor__isnull=True).count() if sampled and not confirmed else 0,
            status_counts=status_counts,
            month=programme_month(programme, timezone.localdate()),
            errors=error_summary(rules_form, sample_form, add_form),
        )
        return context

    def render_with(self, status: int = 400, **forms):
        return self.render_to_response(self.get_context_data(**forms), status=status)


class CohortRulesView(CohortView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CohortRulesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                cohort_save_rules(
                    programme=self.programme,
                    by=request.user,
                    legal_statuses=data["legal_statuses"],
                    teams=data["teams"],
                    service_areas=data["service_areas"],
                    flags=data["flags"],
                    opened_after=data["opened_after"],
                    opened_before=data["opened_before"],
                )
            except AllocationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"Saved the cohort's rules: {cohort_size(form.rules()):,} children.")
                return redirect(cohort_url(self.programme, "sample"))
        return self.render_with(rules_form=form)


class CohortSampleView(CohortView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = SampleForm(request.POST, prefix="sample")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if self.cohort is None:
                    raise AllocationError("Save the cohort's rules first.")
                cohort = cohort_draw_sample(
                    cohort=self.cohort, by=request.user, count=data["count"], percent=data["percent"], seed=data["seed"]
                )
            except AllocationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Drew {cohort.lines.count():,} children (sample number {cohort.seed}). "
                    "Review and edit the auditors, then confirm.",
                )
                return redirect(cohort_url(self.programme, "sample"))
        return self.render_with(sample_form=form)


class CohortLineAddView(CohortView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = LineAddForm(request.POST, prefix="add", programme=self.programme)
        if line_added(request, form, sample_line_add, programme=self.programme):
            return redirect(cohort_url(self.programme, "sample"))
        return self.render_with(add_form=form)


class CohortConfirmView(ProgrammeMixin, View):
    def post(self, request, *args, **kwargs):
        if self.cohort is None:
            messages.error(request, "Save the cohort's rules and draw a sample first.")
            return redirect(cohort_url(self.programme))
        try:
            audits = cohort_confirm(cohort=self.cohort, by=request.user)
        except AllocationError as error:
            messages.error(request, messages_of(error))
            return redirect(cohort_url(self.programme, "sample"))
        messages.success(request, f"Confirmed: {len(audits):,} audits created. Each person finds theirs in My audits.")
        return redirect(cohort_url(self.programme, "audits"))


class SampleLineMixin(ProgrammeMixin):
    @cached_property
    def line(self) -> SampleLine:
        """A line of this programme's sample, or 404 (a line of another programme is not found here)."""
        return get_object_or_404(
            SampleLine.objects.select_related("cohort__programme", "auditor", "child__team"),
            pk=self.kwargs["pk"],
            cohort__programme=self.programme,
        )

    def return_url(self) -> str:
        return cohort_url(self.programme, "sample")


class SampleLineRemoveView(SampleLineMixin, LineRemoveView):
    remove = staticmethod(sample_line_remove)

    def removed_message(self, line) -> str:
        return f"Removed {line.child.case_ref} from the sample."


class SampleLineView(SampleLineMixin, LineEditView):
    """One line of the sample: give its child to another person, or its person another child of the cohort."""

    template_name = "allocation/cohort_line.html"
    form_classes = {"reassign": LineReassignForm, "swap": LineSwapForm}
    reassign = staticmethod(sample_line_reassign)
    swap_child = staticmethod(sample_line_swap_child)
    changed_message = "Changed the line."
    invalid_status = 400

    def form_kwargs(self, op: str) -> dict:
        return {"programme": self.programme} if op == "reassign" else {}

    def is_draft(self) -> bool:
        return self.line.cohort.status == Cohort.Status.DRAFT

    def confirmed_message(self) -> str:
        return "The sample is confirmed; its lines can no longer change."

    def confirmed_url(self) -> str:
        return cohort_url(self.programme, "audits")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["programme"] = self.programme
        return context


class PracticeWeekView(ProgrammeMixin, TemplateView):
    """A practice week's returns and grades on one page: overall, by person and by team, with links to the audits."""

    template_name = "allocation/practice_week.html"

    def get_context_data(self, **kwargs):
        if not is_practice_week(self.programme):
            raise Http404("This programme is not a practice week.")
        today = timezone.localdate()
        context = super().get_context_data(**kwargs)
        audits = programme_audit_rows(self.programme)
        by_auditor: dict[int, list] = {}
        for audit in audits:
            audit.days_overdue = (today - audit.due_on).days if audit.is_overdue_on(today) else 0
            by_auditor.setdefault(audit.auditor_id, []).append(audit)
        figures = programme_returns(self.programme, today)
        for row in figures["by_person"]:
            row["audits"] = by_auditor.get(row["auditor_id"], [])
            full_name = f"{row['auditor__first_name']} {row['auditor__last_name']}".strip()
            row["name"] = full_name or row["auditor__username"]
        context.update(programme=self.programme, figures=figures, today=today)
        return context
