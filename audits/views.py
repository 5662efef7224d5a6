"""Pages for monthly allocation and exemptions (QA team) and the auditor's My audits.

Views parse a form, call one service and redirect; the rules are in
audits/services.py and audits/allocation.py.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import RedirectView, TemplateView
from django_filters.views import FilterView

from audits.allocation import due_date
from audits.allocation_selectors import available_auditor_rows, exemptions_for_month, month_returns_counts
from audits.filters import ExemptionFilter, MyAuditFilter
from audits.forms import (
    ExemptionForm,
    ProposalAddForm,
    ProposeForm,
    ReassignForm,
    SwapChildForm,
    add_service_error,
    error_summary,
)
from audits.models import Exemption, MonthPlan, Policy, ProposedAllocation
from audits.periods import add_months, month_start
from audits.selectors import audits_visible_to
from audits.services import (
    AllocationError,
    ExemptionError,
    exemption_grant,
    exemption_withdraw,
    month_plan_confirm,
    month_plan_propose,
    proposal_add,
    proposal_reassign,
    proposal_remove,
    proposal_swap_child,
)
from people.permissions import AuditorRequiredMixin, QualityRequiredMixin


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def _allocation_url(month: datetime.date, anchor: str = "") -> str:
    return reverse("audits:allocation", kwargs={"month": month}) + (f"#{anchor}" if anchor else "")


class AllocationIndexView(QualityRequiredMixin, RedirectView):
    """Allocation is planned ahead: the index opens next month."""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return _allocation_url(add_months(month_start(timezone.localdate()), 1))


class MonthMixin(QualityRequiredMixin):
    """The month named in the URL and its plan (None until something is proposed)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.month: datetime.date = kwargs["month"]

    def get_plan(self) -> MonthPlan | None:
        if not hasattr(self, "_plan"):
            self._plan = (
                MonthPlan.objects.select_related("proposed_by", "confirmed_by").filter(month=self.month).first()
            )
        return self._plan

    def get_draft_line(self) -> ProposedAllocation:
        """A line of this month's draft proposal, or 404 (a line of another month is not found here)."""
        return get_object_or_404(
            ProposedAllocation.objects.select_related("plan", "auditor", "child__team"),
            pk=self.kwargs["pk"],
            plan__month=self.month,
        )


class AllocationMonthView(MonthMixin, TemplateView):
    template_name = "audits/allocation_month.html"

    def get_context_data(self, *, add_form=None, propose_form=None, exemption_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.month
        plan = self.get_plan()
        is_draft = plan is None or plan.status == MonthPlan.Status.DRAFT
        can_plan = is_draft and month >= month_start(timezone.localdate())
        lines, allocations, unfilled = [], [], []
        if plan is not None and plan.status == MonthPlan.Status.DRAFT:
            # list() runs the query once; the table and the per-auditor tally share the rows.
            lines = list(
                plan.proposals.select_related("auditor", "child__team").order_by(
                    "auditor__last_name", "auditor__first_name", "auditor__username", "child__case_ref"
                )
            )
            taken = Counter(line.auditor_id for line in lines)
            unfilled = [a for a in available_auditor_rows(month) if taken[a.pk] < a.audits_per_month]
        elif plan is not None:
            allocations = list(
                audits_visible_to(self.request.user)
                .filter(month=month)
                .select_related("auditor", "team", "child")
                .order_by("auditor__last_name", "auditor__first_name", "auditor__username", "child__case_ref")
            )
        add_form = add_form or ProposalAddForm(prefix="add")
        propose_form = propose_form or ProposeForm(prefix="propose")
        exemption_form = exemption_form or ExemptionForm(initial={"month": month})
        context.update(
            month=month,
            plan=plan,
            is_draft=is_draft,
            can_plan=can_plan,
            lines=lines,
            auditor_count=len({line.auditor_id for line in lines}),
            allocations=allocations,
            unfilled=unfilled,
            counts=month_returns_counts(month),
            exemptions=list(exemptions_for_month(month)),
            due_on=due_date(month, Policy.current().due_day),
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
            today=timezone.localdate(),
            add_form=add_form,
            propose_form=propose_form,
            exemption_form=exemption_form,
            errors=error_summary(add_form, propose_form),
        )
        return context


class AllocationProposeView(MonthMixin, View):
    def post(self, request, *args, **kwargs):
        form = ProposeForm(request.POST, prefix="propose")
        if not form.is_valid():
            return self._invalid(form)
        try:
            plan = month_plan_propose(month=self.month, by=request.user, seed=form.cleaned_data["seed"])
        except AllocationError as error:
            messages.error(request, _messages_of(error))
            return redirect(_allocation_url(self.month))
        count = plan.proposals.count()
        messages.success(
            request,
            f"Proposed {count} allocation{'s' if count != 1 else ''} for {self.month:%B %Y} (seed {plan.seed}). "
            "Review and edit the lines, then confirm.",
        )
        return redirect(_allocation_url(self.month, "proposal"))

    def _invalid(self, form):
        view = AllocationMonthView()
        view.setup(self.request, **self.kwargs)
        return view.render_to_response(view.get_context_data(propose_form=form))


class ProposalAddView(MonthMixin, View):
    def post(self, request, *args, **kwargs):
        form = ProposalAddForm(request.POST, prefix="add")
        plan = self.get_plan()
        if plan is None or plan.status != MonthPlan.Status.DRAFT:
            messages.error(
                request,
                "Propose the allocation first, then add lines to it."
                if plan is None
                else f"The allocation for {self.month:%B %Y} is already confirmed; it can no longer be changed.",
            )
            return redirect(_allocation_url(self.month))
        if form.is_valid():
            try:
                line = proposal_add(
                    plan=plan, auditor=form.cleaned_data["auditor"], child=form.cleaned_data["child"], by=request.user
                )
            except AllocationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"Added {line.child.case_ref} for {line.auditor}.")
                return redirect(_allocation_url(self.month, "proposal"))
        view = AllocationMonthView()
        view.setup(request, **self.kwargs)
        return view.render_to_response(view.get_context_data(add_form=form))


class ProposalLineView(MonthMixin, TemplateView):
    """One line of the proposal: give its child to another auditor, or its auditor another child."""

    template_name = "audits/allocation_line.html"
    operations = {"reassign": ReassignForm, "swap": SwapChildForm}

    @cached_property
    def line(self) -> ProposedAllocation:
        return self.get_draft_line()

    def get(self, request, *args, **kwargs):
        if self.line.plan.status != MonthPlan.Status.DRAFT:
            messages.info(
                request, f"The allocation for {self.month:%B %Y} is confirmed; its lines can no longer change."
            )
            return redirect(_allocation_url(self.month))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = {op: kwargs.get(f"{op}_form") or form_class(prefix=op) for op, form_class in self.operations.items()}
        context.update(
            month=self.month,
            line=self.line,
            reassign_form=forms["reassign"],
            swap_form=forms["swap"],
            errors=error_summary(*forms.values()),
        )
        return context

    def post(self, request, *args, **kwargs):
        op = request.POST.get("op")
        if op not in self.operations:
            raise Http404("Unknown change.")
        form = self.operations[op](request.POST, prefix=op)
        if form.is_valid():
            try:
                if op == "reassign":
                    proposal_reassign(line=self.line, auditor=form.cleaned_data["auditor"], by=request.user)
                else:
                    proposal_swap_child(line=self.line, child=form.cleaned_data["child"], by=request.user)
            except AllocationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "The line has been changed.")
                return redirect(_allocation_url(self.month, "proposal"))
        return self.render_to_response(self.get_context_data(**{f"{op}_form": form}))


class ProposalRemoveView(MonthMixin, View):
    def post(self, request, *args, **kwargs):
        line = self.get_draft_line()
        try:
            proposal_remove(line=line, by=request.user)
        except AllocationError as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(request, f"Removed {line.child.case_ref} ({line.auditor}) from the proposal.")
        return redirect(_allocation_url(self.month, "proposal"))


class AllocationConfirmView(MonthMixin, TemplateView):
    """A page that asks before confirming: confirming creates the audits and e-mails every auditor."""

    template_name = "audits/allocation_confirm.html"

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        if plan is None or plan.status != MonthPlan.Status.DRAFT:
            messages.info(request, "There is no proposal to confirm for this month.")
            return redirect(_allocation_url(self.month))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.get_plan()
        summary = plan.proposals.aggregate(lines=Count("id"), auditors=Count("auditor", distinct=True))
        context.update(month=self.month, plan=plan, due_on=due_date(self.month, Policy.current().due_day), **summary)
        return context

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        if plan is None:
            raise Http404("Nothing proposed for this month.")
        try:
            audits = month_plan_confirm(plan=plan, by=request.user)
        except AllocationError as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(
                request,
                f"Confirmed {len(audits)} allocation{'s' if len(audits) != 1 else ''} for {self.month:%B %Y}. "
                "Each auditor is being e-mailed.",
            )
        return redirect(_allocation_url(self.month))


# --- Exemptions -----------------------------------------------------------------------------------


def _return_url(request, fallback: str) -> str:
    """Back to the allocation month the form was sent from, if it named one."""
    value = request.POST.get("return_month") or request.GET.get("month") or ""
    try:
        year, month = (int(part) for part in value.split("-"))
        return _allocation_url(datetime.date(year, month, 1), "exemptions")
    except ValueError:
        return fallback


class ExemptionGrantView(QualityRequiredMixin, TemplateView):
    template_name = "audits/exemption_form.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        initial = {}
        month = self.request.GET.get("month", "")
        if month:
            initial["month"] = month
        form = form or ExemptionForm(initial=initial)
        context.update(form=form, errors=error_summary(form), return_month=self.request.POST.get("return_month", month))
        return context

    def post(self, request, *args, **kwargs):
        form = ExemptionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                exemption = exemption_grant(
                    user=data["user"],
                    kind=data["kind"],
                    reason=data["reason"],
                    month=data["month"],
                    approved_by=data["approved_by"],
                    detail=data["detail"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    by=request.user,
                )
            except ExemptionError as error:
                add_service_error(form, error)
            else:
                exempted = exemption.audits.count()
                note = f" {exempted} allocation{'s' if exempted != 1 else ''} marked exempted." if exempted else ""
                messages.success(request, f"Exemption granted to {exemption.user}.{note}")
                return HttpResponseRedirect(_return_url(request, reverse("audits:exemption_list")))
        return self.render_to_response(self.get_context_data(form=form))


class ExemptionListView(QualityRequiredMixin, FilterView):
    template_name = "audits/exemption_list.html"
    filterset_class = ExemptionFilter
    paginate_by = 50
    context_object_name = "exemptions"

    def get_queryset(self):
        return Exemption.objects.select_related("user", "created_by").order_by("-is_active", "-created_at", "-id")


class ExemptionWithdrawView(QualityRequiredMixin, View):
    def post(self, request, *args, **kwargs):
        exemption = get_object_or_404(Exemption.objects.select_related("user"), pk=kwargs["pk"])
        try:
            exemption_withdraw(exemption=exemption, by=request.user)
        except ExemptionError as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(request, f"Withdrew {exemption.user}'s exemption.")
        return HttpResponseRedirect(_return_url(request, reverse("audits:exemption_list")))


# --- My audits ------------------------------------------------------------------------------------


class MyAuditsView(AuditorRequiredMixin, FilterView):
    """The signed-in auditor's own allocations, newest month first."""

    template_name = "audits/my_audits.html"
    filterset_class = MyAuditFilter
    paginate_by = 25
    context_object_name = "audits"

    def get_queryset(self):
        user = self.request.user
        return (
            audits_visible_to(user)
            .filter(auditor=user)
            .select_related("team", "child")
            .order_by("-month", "due_on", "child__case_ref")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context
