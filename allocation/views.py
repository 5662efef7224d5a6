"""Pages for monthly allocation, exemptions and the month's returns (QA team).

Views parse a form, call one service and redirect; the rules are in
allocation/services.py and allocation/rules.py.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import RedirectView, TemplateView
from django_filters.views import FilterView

from allocation.filters import ExemptionFilter
from allocation.forms import (
    ExemptionForm,
    ProposalAddForm,
    ProposeForm,
    ReassignForm,
    ReturnsMonthForm,
    SwapChildForm,
    add_service_error,
    error_summary,
)
from allocation.line_views import LineEditView, LineRemoveView, line_added, messages_of
from allocation.models import Exemption, MonthPlan, ProposedAllocation
from allocation.rules import due_date
from allocation.selectors import (
    MONTHLY_KIND,
    RETURNS_SORT_KEYS,
    available_auditor_rows,
    exemptions_for_month,
    month_returns_counts,
    month_returns_figures,
)
from allocation.services import (
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
    return_reminder_send,
)
from audits.models import Policy
from audits.selectors import audits_visible_to
from common.periods import EARLIEST_MONTH, LATEST_MONTH, add_months, month_from_key, month_key, month_start
from people.models import User
from people.permissions import QualityRequiredMixin


def _allocation_url(month: datetime.date, anchor: str = "") -> str:
    return reverse("allocation:month", kwargs={"month": month}) + (f"#{anchor}" if anchor else "")


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


class AllocationMonthView(MonthMixin, TemplateView):
    template_name = "allocation/allocation_month.html"

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
                # The month's plan: a themed audit or practice week in the same month has its own page.
                .filter(month=month, programme__kind=MONTHLY_KIND)
                .select_related("auditor", "team", "child")
                .order_by("auditor__last_name", "auditor__first_name", "auditor__username", "child__case_ref")
            )
            today = timezone.localdate()
            for audit in allocations:
                audit.days_overdue = (today - audit.due_on).days if audit.is_overdue_on(today) else 0
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
            counts=month_returns_counts(month, monthly_only=True),
            exemptions=list(exemptions_for_month(month)),
            due_on=due_date(month, Policy.current().due_day),
            # No link off either end of the months the product works with.
            previous_month=add_months(month, -1) if month > EARLIEST_MONTH else None,
            next_month=add_months(month, 1) if month < LATEST_MONTH else None,
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
            messages.error(request, messages_of(error))
            return redirect(_allocation_url(self.month))
        count = plan.proposals.count()
        messages.success(
            request,
            f"Proposed {count} allocation{'s' if count != 1 else ''} for {self.month:%B %Y} "
            f"(proposal number {plan.seed}). "
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
        if line_added(request, form, proposal_add, plan=plan):
            return redirect(_allocation_url(self.month, "proposal"))
        view = AllocationMonthView()
        view.setup(request, **self.kwargs)
        return view.render_to_response(view.get_context_data(add_form=form))


class ProposalLineMixin(MonthMixin):
    @cached_property
    def line(self) -> ProposedAllocation:
        """A line of this month's draft proposal, or 404 (a line of another month is not found here)."""
        return get_object_or_404(
            ProposedAllocation.objects.select_related("plan", "auditor", "child__team"),
            pk=self.kwargs["pk"],
            plan__month=self.month,
        )

    def return_url(self) -> str:
        return _allocation_url(self.month, "proposal")


class ProposalLineView(ProposalLineMixin, LineEditView):
    """One line of the proposal: give its child to another auditor, or its auditor another child."""

    template_name = "allocation/allocation_line.html"
    form_classes = {"reassign": ReassignForm, "swap": SwapChildForm}
    reassign = staticmethod(proposal_reassign)
    swap_child = staticmethod(proposal_swap_child)
    changed_message = "The line has been changed."

    def is_draft(self) -> bool:
        return self.line.plan.status == MonthPlan.Status.DRAFT

    def confirmed_message(self) -> str:
        return f"The allocation for {self.month:%B %Y} is confirmed; its lines can no longer change."

    def confirmed_url(self) -> str:
        return _allocation_url(self.month)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["month"] = self.month
        return context


class ProposalRemoveView(ProposalLineMixin, LineRemoveView):
    remove = staticmethod(proposal_remove)

    def removed_message(self, line) -> str:
        return f"Removed {line.child.case_ref} ({line.auditor}) from the proposal."


class AllocationConfirmView(MonthMixin, TemplateView):
    """A page that asks before confirming: confirming creates the audits and e-mails every auditor."""

    template_name = "allocation/allocation_confirm.html"

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
            messages.error(request, messages_of(error))
        else:
            messages.success(
                request,
                f"Confirmed {len(audits)} allocation{'s' if len(audits) != 1 else ''} for {self.month:%B %Y}. "
                "Each auditor is being e-mailed.",
            )
        return redirect(_allocation_url(self.month))


# --- The month's returns ------------------------------------------------------------------------------

# (sort key, column heading, first direction when chosen): counts sort most first, names A to Z.
RETURNS_COLUMNS = (
    ("allocated", "Allocated", "-"),
    ("exempted", "Exempted", "-"),
    ("returned", "Returned", "-"),
    ("late", "Late", "-"),
    ("overdue", "Overdue", "-"),
    ("days", "Days overdue", "-"),
    ("nil_returns", "Nil returns", "-"),
    ("sent_back", "Sent back", "-"),
)
DEFAULT_RETURNS_SORT = "-overdue"


def sort_headers(request, param: str, current: str, columns) -> list[dict]:
    """Column headings that sort a table by `?param=key` (or `-key`, descending), keeping the rest of the query.

    Choosing the sorted column again reverses it. `aria_sort` tells screen readers which column is sorted, and how.
    """
    descending = current.startswith("-")
    headers = []
    for key, label, first in columns:
        active = current.removeprefix("-") == key
        if active:
            next_sort = key if descending else f"-{key}"
        else:
            next_sort = f"{first}{key}"
        query = request.GET.copy()
        query[param] = next_sort
        headers.append(
            {
                "key": key,
                "label": label,
                "query": query.urlencode(),
                "aria_sort": ("descending" if descending else "ascending") if active else "",
                "next": "descending" if next_sort.startswith("-") else "ascending",
            }
        )
    return headers


def _returns_sort(query: QueryDict, param: str) -> str:
    value = query.get(param, DEFAULT_RETURNS_SORT)
    return value if value.removeprefix("-") in RETURNS_SORT_KEYS else DEFAULT_RETURNS_SORT


class MonthReturnsView(QualityRequiredMixin, TemplateView):
    """The QA team's page for chasing a month's returns: by auditor and by team, what is allocated, returned,
    late, overdue (and by how many days), nil and sent back, with a reminder to send to each auditor."""

    template_name = "allocation/allocation_returns.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        today = timezone.localdate()
        form = ReturnsMonthForm(request.GET if "month" in request.GET else None, initial={"month": month_start(today)})
        month = month_start(today)
        if form.is_bound and form.is_valid() and form.cleaned_data["month"]:
            month = form.cleaned_data["month"]
        audits = audits_visible_to(request.user).filter(month=month)
        auditor_sort, team_sort = _returns_sort(request.GET, "sort"), _returns_sort(request.GET, "team_sort")
        name_column = [("name", "Auditor", "")]
        context.update(
            month_returns_figures(audits, month, today, auditor_sort, team_sort),
            month=month,
            today=today,
            form=form,
            errors=error_summary(form),
            due_on=due_date(month, Policy.current().due_day),
            auditor_sort=auditor_sort,
            team_sort=team_sort,
            auditor_headers=sort_headers(request, "sort", auditor_sort, name_column + list(RETURNS_COLUMNS)),
            team_headers=sort_headers(request, "team_sort", team_sort, [("name", "Team", "")] + list(RETURNS_COLUMNS)),
            returns_columns=RETURNS_COLUMNS,
            previous_month=add_months(month, -1) if month > EARLIEST_MONTH else None,
            next_month=add_months(month, 1) if month < LATEST_MONTH else None,
            this_month=month_start(today),
        )
        return context


def _returns_url(request, month: datetime.date, anchor: str = "") -> str:
    """Back to the returns page for `month`, sorted as the form that posted here was (POST `sort`, `team_sort`)."""
    query = QueryDict(mutable=True)
    query["month"] = month_key(month)
    for param in ("sort", "team_sort"):
        if param in request.POST:
            query[param] = _returns_sort(request.POST, param)
    return f"{reverse('allocation:returns')}?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


class ReturnReminderView(QualityRequiredMixin, View):
    """Send an auditor a reminder of the month's audits they have still to return; once a day, whatever the clicks."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        month = month_from_key(request.POST.get("month", ""))
        if month is None:
            raise Http404("No such month.")
        auditor = get_object_or_404(User.objects.filter(is_auditor=True), pk=kwargs["pk"])
        try:
            reminder, created = return_reminder_send(auditor=auditor, month=month, by=request.user)
        except AllocationError as error:
            messages.error(request, messages_of(error))
        else:
            if created:
                messages.success(
                    request,
                    f"Reminder sent to {auditor} about {reminder.outstanding} audit"
                    f"{'s' if reminder.outstanding != 1 else ''} for {month:%B %Y} not yet returned.",
                )
            else:
                by = f" by {reminder.sent_by}" if reminder.sent_by else ""
                sent_at = timezone.localtime(reminder.sent_at)
                messages.info(
                    request,
                    f"{auditor} was already reminded today, at {sent_at:%H:%M}{by}. Nothing was sent again; "
                    "you can send another reminder tomorrow.",
                )
        return redirect(_returns_url(request, month, f"auditor-{auditor.pk}"))


# --- Exemptions -----------------------------------------------------------------------------------


def _return_url(request, fallback: str) -> str:
    """Back to the allocation month the form was sent from, if it named a month the product works with."""
    month = month_from_key(request.POST.get("return_month") or request.GET.get("month") or "")
    return _allocation_url(month, "exemptions") if month else fallback


class ExemptionGrantView(QualityRequiredMixin, TemplateView):
    template_name = "allocation/exemption_form.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        # The allocation page links here with ?month=YYYY-MM; anything else there is ignored.
        month = month_from_key(self.request.GET.get("month", ""))
        form = form or ExemptionForm(initial={"month": month} if month else {})
        return_month = month_from_key(self.request.POST.get("return_month", "")) or month
        context.update(
            form=form, errors=error_summary(form), return_month=month_key(return_month) if return_month else ""
        )
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
                return HttpResponseRedirect(_return_url(request, reverse("allocation:exemption_list")))
        return self.render_to_response(self.get_context_data(form=form))


class ExemptionListView(QualityRequiredMixin, FilterView):
    template_name = "allocation/exemption_list.html"
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
            messages.error(request, messages_of(error))
        else:
            messages.success(request, f"Withdrew {exemption.user}'s exemption.")
        return HttpResponseRedirect(_return_url(request, reverse("allocation:exemption_list")))
