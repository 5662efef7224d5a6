"""Pages for the action tracker and Children of Concern. Thin: parse a form, call one service, render or redirect.

Every object is fetched through a scoped queryset (`actions_visible_to`,
`concerns_visible_to`), so a guessed URL for someone else's action or a child's
concern outside your teams answers 404. Who may change what is asked of
`actions.selectors` and enforced again in the services.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from actions import services
from actions.filters import ActionFilter, ConcernFilter
from actions.forms import (
    ActionCompleteForm,
    ActionMoveDueForm,
    ActionReopenForm,
    ConcernDraftForm,
    ConcernResponseForm,
    ConcernReviewForm,
)
from actions.links import CONCERN_FIGURE_KEYS, concern_figure_url
from actions.models import Action, ActionChange, ChildOfConcern, ConcernReview
from actions.selectors import (
    SEARCH_LIMIT,
    STATUS_ORDER,
    actions_visible_to,
    child_reference_search,
    children_of_concern_by_month,
    concern_counts,
    concerns_visible_to,
    status_counts,
    user_may_complete_action,
    user_may_move_due,
    user_may_reopen,
    user_may_respond,
    user_may_review,
)
from audits.selectors import audits_visible_to
from common.errors import show_error
from common.periods import months_ending
from common.versioned_cache import cached_filters_html, cached_for_queryset, cached_rows_html
from people.permissions import RoleRequiredMixin, has_role
from people.selectors import teams_managed_by

PAGE_SIZE = 50
# The practice areas a Child of Concern shows: where the audit found the practice weak.
WEAK_GRADES = ("inadequate", "requires_improvement")

ACTION_ROW_RELATIONS = ("audit__child", "audit__team", "audit__service_area", "owner")
# What a row of the tracker shows, and no more: an audit row is some forty columns, a person's a dozen more.
ACTION_LIST_COLUMNS = (
    "description",
    "due_on",
    "completed_on",
    "in_care_plan",
    "audit__month",
    "audit__child__case_ref",
    "audit__team__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


# --- The tracker ---------------------------------------------------------------------------------------------------


def landing_filters(user) -> dict[str, str]:
    """Where people land: managers on their teams' overdue actions, the QA team on all overdue, owners on theirs."""
    if has_role(user, "manager") and teams_managed_by(user).exists():
        return {"view": "teams", "status": "overdue"}
    if has_role(user, "quality"):
        return {"status": "overdue"}
    return {"view": "mine", "status": "open"}


def _action_filter(request) -> tuple[ActionFilter, bool]:
    landed = not request.GET
    if landed:
        data = QueryDict(mutable=True)
        data.update(landing_filters(request.user))
    else:
        data = request.GET
    queryset = actions_visible_to(request.user).select_related("audit__child", "audit__team", "owner")
    return ActionFilter(data, queryset=queryset.only(*ACTION_LIST_COLUMNS), request=request), landed


class ActionListView(RoleRequiredMixin, View):
    """The tracker. Open to everyone signed in: practitioners own actions without holding a role."""

    def get(self, request):
        action_filter, landed = _action_filter(request)
        query = action_filter.data.copy()
        query.pop("page", None)
        context = {"filter": action_filter, "landed": landed, "query": query.urlencode()}
        valid = action_filter.is_valid()
        context["filters_html"] = cached_filters_html(
            action_filter,
            actions_visible_to(request.user),
            action=reverse("actions:list"),
            button="Show actions",
            reset_url="?view=&status=",
            reset_label="Everything I can see",
        )
        if valid:
            queryset = action_filter.qs
            day = action_filter.as_of_day
            # The same on every view of this filter until the data changes: kept in the cache.
            unordered = queryset.order_by()  # the order changes no count: one kept summary for every sort
            summary = cached_for_queryset("action-counts", unordered, (day,), lambda: status_counts(unordered, day))
            context["as_of"] = action_filter.as_of_day
            context["summary"] = summary
            context["summary_links"] = [
                {
                    "label": status.label,
                    "count": summary[status.value],
                    "percent": summary[f"{status.value}_percent"],
                    "query": _with(query, status=status.value),
                }
                for status in STATUS_ORDER
            ]
            paginator = Paginator(queryset, PAGE_SIZE)
            paginator.count = summary["total"]  # counted with the statuses already
            page = paginator.get_page(request.GET.get("page"))
            context["page"] = page
            context["actions"] = page.object_list  # run only if the rows are not kept
            # The rows of this page, filters and day, rendered once and kept until the data changes: the
            # page's query (its SQL names the person's scope, the filters, the order and the page) is the key.
            context["rows"] = cached_rows_html(
                "action-rows", page.object_list, "actions/_action_rows.html", "actions", (day,)
            )
        return TemplateResponse(request, "actions/action_list.html", context)


def _with(query: QueryDict, **changes: str) -> str:
    changed = query.copy()
    for key, value in changes.items():
        changed[key] = value
    return changed.urlencode()


def csv_safe(value) -> str:
    """Spreadsheets run cells that start with = + - @ (or a tab or carriage return) as formulas: quote them."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "action_ref",
    "child_ref",
    "team",
    "service_area",
    "audit_month",
    "description",
    "owner",
    "owner_name",
    "due_on",
    "status",
    "status_as_of",
    "completed_on",
    "completion_note",
    "in_care_plan",
]


CSV_FIELDS = (
    "external_ref",
    "audit__child__case_ref",
    "audit__team__name",
    "audit__service_area__name",
    "audit__month",
    "description",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "due_on",
    "status",
    "completed_on",
    "completion_note",
    "in_care_plan",
)


class ActionExportView(RoleRequiredMixin, View):
    """The filtered tracker as CSV: ISO dates, status keys, formula-safe cells."""

    def get(self, request):
        action_filter, _ = _action_filter(request)
        if not action_filter.is_valid():
            messages.error(request, "Fix the filters before exporting.")
            return HttpResponseRedirect(reverse("actions:list") + "?" + request.GET.urlencode())
        as_of = action_filter.as_of_day.isoformat()
        # Plain tuples, not model instances: an export of every action in ten years stays quick.
        rows = action_filter.qs.values_list(*CSV_FIELDS).iterator(chunk_size=2000)

        def lines():
            writer = csv.writer(_Echo())
            yield writer.writerow(CSV_HEADER)
            for (
                ref,
                child_ref,
                team,
                area,
                month,
                description,
                username,
                first_name,
                last_name,
                due_on,
                status,
                completed_on,
                note,
                in_care_plan,
            ) in rows:
                yield writer.writerow(
                    csv_safe(value)
                    for value in (
                        ref or "",
                        child_ref,
                        team,
                        area,
                        month.strftime("%Y-%m"),
                        description,
                        username,
                        f"{first_name} {last_name}".strip(),
                        due_on.isoformat(),
                        status,
                        as_of,
                        completed_on.isoformat() if completed_on else "",
                        note,
                        "yes" if in_care_plan else "no",
                    )
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="actions-{timezone.localdate().isoformat()}.csv"'
        return response


# --- One action -------------------------------------------------------------------------------------------------


def _visible_action(request, pk: int) -> Action:
    return get_object_or_404(
        actions_visible_to(request.user).select_related(
            *ACTION_ROW_RELATIONS, "audit__auditor", "audit__team__manager", "completed_by", "theme"
        ),
        pk=pk,
    )


def _render_action(request, action: Action, bound: dict | None = None, status: int = 200) -> TemplateResponse:
    bound = bound or {}
    user = request.user
    today = timezone.localdate()
    forms = {}
    if action.completed_on is None:
        if user_may_complete_action(user=user, action=action):
            forms["complete"] = bound.get("complete") or ActionCompleteForm(initial={"on": today})
        if user_may_move_due(user=user, action=action):
            forms["move"] = bound.get("move") or ActionMoveDueForm()
    elif user_may_reopen(user=user):
        forms["reopen"] = bound.get("reopen") or ActionReopenForm()
    # list() runs the query once; the history table and the original due date both read it.
    changes = list(action.changes.select_related("by"))
    context = {
        "action": action,
        "status": action.status_on(today),
        "today": today,
        "forms": forms,
        "bound_form": next(iter(bound.values()), None),
        "changes": changes,
        # The oldest due-date move remembers the date the audit set.
        "original_due_on": next(
            (c.old_due_on for c in reversed(changes) if c.kind == ActionChange.Kind.DUE_DATE), action.due_on
        ),
    }
    return TemplateResponse(request, "actions/action_detail.html", context, status=status)


class ActionDetailView(RoleRequiredMixin, View):
    """The action with its history: every completion, reopening and due-date move, with who and why."""

    def get(self, request, pk: int):
        return _render_action(request, _visible_action(request, pk))


class _ActionChangeView(RoleRequiredMixin, View):
    """POST one form from the action's page to one service; on an error, the page again, the message at the field."""

    # Each subclass gives its form, its rule `allowed(user, action)` and its service call `perform(action, data)`.
    form_class: type = ActionCompleteForm
    success_message = ""

    def get(self, request, pk: int):
        return HttpResponseRedirect(reverse("actions:detail", args=[pk]))

    def post(self, request, pk: int):
        action = _visible_action(request, pk)
        if not self.allowed(request.user, action):
            raise PermissionDenied("You cannot make this change to this action.")
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.perform(action, form.cleaned_data)
            except services.ActionError as error:
                show_error(request, error, form=form)
            else:
                messages.success(request, self.success_message)
                return HttpResponseRedirect(reverse("actions:detail", args=[pk]))
        return _render_action(request, action, {form.prefix: form})


class ActionCompleteView(_ActionChangeView):
    form_class = ActionCompleteForm
    success_message = "Action completed."

    def allowed(self, user, action):
        return user_may_complete_action(user=user, action=action)

    def perform(self, action, data):
        services.action_complete(action=action, by=self.request.user, on=data["on"], note=data["note"])


class ActionMoveDueView(_ActionChangeView):
    form_class = ActionMoveDueForm
    success_message = "Due date moved."

    def allowed(self, user, action):
        return user_may_move_due(user=user, action=action)

    def perform(self, action, data):
        services.action_move_due(
            action=action, by=self.request.user, new_due_on=data["new_due_on"], reason=data["reason"]
        )


class ActionReopenView(_ActionChangeView):
    form_class = ActionReopenForm
    success_message = "Action reopened."

    def allowed(self, user, action):
        return user_may_reopen(user=user)

    def perform(self, action, data):
        services.action_reopen(action=action, by=self.request.user, reason=data["reason"])


# --- Children of Concern ----------------------------------------------------------------------------------------


# What a row of the Children of Concern list shows: not the team's three-part response, nor the audit's forty columns.
CONCERN_LIST_COLUMNS = (
    "trigger",
    "status",
    "raised_on",
    "notified_at",
    "response_due_on",
    "draft_saved_at",
    "grade_lifted_at",
    "child__case_ref",
    "audit__month",
    "audit__team__name",
)


class ConcernListView(RoleRequiredMixin, View):
    """Open, awaiting response, overdue and resolved this month, for the QA team and the teams' managers."""

    roles = ("quality", "manager")

    def get(self, request):
        visible = concerns_visible_to(request.user)
        data = request.GET
        if not data:
            data = QueryDict(mutable=True)
            data["state"] = "open"
        concern_filter = ConcernFilter(
            data,
            queryset=visible.select_related("child", "audit__team", "audit")
            .only(*CONCERN_LIST_COLUMNS)
            .order_by("response_due_on", "id"),
            request=request,
        )
        today = timezone.localdate()
        # The page's figures depend on the person's scope and the day only: kept in the cache until the data changes.
        counts, by_month = cached_for_queryset(
            "concern-figures",
            visible,
            (today,),
            lambda: (concern_counts(visible, today), _concerns_by_month(visible, today)),
        )
        query = concern_filter.data.copy()
        query.pop("page", None)
        context = {
            "filter": concern_filter,
            "counts": counts,
            "count_items": [
                ("open", "Open", counts["open"]),
                ("awaiting", "Awaiting response", counts["awaiting"]),
                ("overdue", "Response overdue", counts["overdue"]),
                ("under_review", "Response under review", counts["under_review"]),
                ("resolved_this_month", "Resolved this month", counts["resolved_this_month"]),
            ],
            "query": query.urlencode(),
            "today": today,
            "by_month": by_month,
        }
        valid = concern_filter.is_valid()
        context["filters_html"] = cached_filters_html(
            concern_filter, visible, action=reverse("actions:coc_list"), button="Show"
        )
        if valid:
            concerns = concern_filter.qs
            paginator = Paginator(concerns, PAGE_SIZE)
            unordered = concerns.order_by()
            paginator.count = cached_for_queryset("concern-count", unordered, (), unordered.count)
            page = paginator.get_page(request.GET.get("page"))
            context["page"] = page
            context["concerns"] = page.object_list  # run only if the rows are not kept
            context["rows"] = cached_rows_html(
                "concern-rows", page.object_list, "actions/_concern_rows.html", "concerns", (today,), today=today
            )
        return TemplateResponse(request, "actions/concern_list.html", context)


def _concerns_by_month(visible, today) -> list[dict]:
    """The report's raised / resolved / open for the last six audit months, within what the person may see."""
    months = list(reversed(months_ending(today, 6)))
    figures = children_of_concern_by_month(months, today, queryset=visible)
    return [
        {
            "month": month,
            "cells": [(figures[month][key], concern_figure_url(month, today, key)) for key in CONCERN_FIGURE_KEYS],
        }
        for month in months
    ]


def _visible_concern(request, pk: int) -> ChildOfConcern:
    return get_object_or_404(
        concerns_visible_to(request.user).select_related(
            "child",
            "audit__team__manager",
            "audit__team__head_of_service",
            "audit__auditor",
            "audit__moderation",
            "responded_by",
            "draft_saved_by",
            "resolved_by",
        ),
        pk=pk,
    )


def _render_concern(request, concern: ChildOfConcern, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    forms = {}
    if concern.status == ChildOfConcern.Status.AWAITING_RESPONSE and user_may_respond(user=user, concern=concern):
        forms["respond"] = bound.get("respond") or ConcernResponseForm(
            initial={
                "safety": concern.safety_response,
                "service_offer": concern.service_offer_response,
                "next_steps": concern.next_steps_response,
            }
        )
    reviewable = concern.status == ChildOfConcern.Status.RESPONDED or (
        concern.status == ChildOfConcern.Status.AWAITING_RESPONSE and concern.grade_lifted_at is not None
    )
    if reviewable and user_may_review(user=user):
        forms["review"] = bound.get("review") or ConcernReviewForm()
    today = timezone.localdate()
    audit = concern.audit
    # Only the weak areas, filtered once here; the template shows every row it is given.
    area_grades = list(audit.area_grades.select_related("area").filter(grade__in=WEAK_GRADES))
    context = {
        "concern": concern,
        "audit": audit,
        "area_grades": area_grades,
        "reviews": list(concern.reviews.select_related("by")),
        "forms": forms,
        "bound_form": next(iter(bound.values()), None),
        "today": today,
        "response_overdue": concern.status == ChildOfConcern.Status.AWAITING_RESPONSE
        and concern.response_due_on < today,
        # The audit is linked only for someone the audit scope lets read it: seeing a concern is not enough.
        "audit_visible": audits_visible_to(user).filter(pk=audit.pk).exists(),
    }
    return TemplateResponse(request, "actions/concern_detail.html", context, status=status)


class ConcernDetailView(RoleRequiredMixin, View):
    """The concern with what the audit found, when the team was told, the response form and the QA review."""

    def get(self, request, pk: int):
        return _render_concern(request, _visible_concern(request, pk))


class ConcernRespondView(RoleRequiredMixin, View):
    def get(self, request, pk: int):
        return HttpResponseRedirect(reverse("actions:coc_detail", args=[pk]))

    def post(self, request, pk: int):
        concern = _visible_concern(request, pk)
        if not user_may_respond(user=request.user, concern=concern):
            raise PermissionDenied("Only the team's manager or head of service can respond.")
        form = ConcernResponseForm(request.POST)
        if form.is_valid():
            try:
                services.child_of_concern_respond(concern=concern, by=request.user, **form.cleaned_data)
            except services.ConcernError as error:
                show_error(request, error, form=form)
            else:
                messages.success(request, "Response sent to the QA team for review.")
                return HttpResponseRedirect(reverse("actions:coc_detail", args=[pk]))
        return _render_concern(request, concern, {"respond": form})


class ConcernSaveDraftView(RoleRequiredMixin, View):
    """The response form's "Save draft" button: keep the three parts without sending them to the QA team."""

    def get(self, request, pk: int):
        return HttpResponseRedirect(reverse("actions:coc_detail", args=[pk]))

    def post(self, request, pk: int):
        concern = _visible_concern(request, pk)
        if not user_may_respond(user=request.user, concern=concern):
            raise PermissionDenied("Only the team's manager or head of service can respond.")
        form = ConcernDraftForm(request.POST)
        if form.is_valid():
            try:
                saved = services.child_of_concern_save_draft(concern=concern, by=request.user, **form.cleaned_data)
            except services.ConcernError as error:
                show_error(request, error, form=form)
            else:
                messages.success(
                    request,
                    "Draft saved, not sent: the QA team sees it as a draft. Send the response by "
                    f"{saved.response_due_on:%-d %b %Y}.",
                )
                return HttpResponseRedirect(reverse("actions:coc_detail", args=[pk]))
        return _render_concern(request, concern, {"respond": form})


class ConcernReviewView(RoleRequiredMixin, View):
    roles = ("quality",)

    def get(self, request, pk: int):
        return HttpResponseRedirect(reverse("actions:coc_detail", args=[pk]))

    def post(self, request, pk: int):
        concern = _visible_concern(request, pk)
        form = ConcernReviewForm(request.POST)
        if form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if form.cleaned_data["decision"] == ConcernReview.Decision.RESOLVED:
                    services.child_of_concern_resolve(concern=concern, by=request.user, note=note)
                    message = "Child of Concern resolved."
                else:
                    services.child_of_concern_return(concern=concern, by=request.user, note=note)
                    message = "Response returned to the team for more."
            except services.ConcernError as error:
                show_error(request, error, form=form)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(reverse("actions:coc_detail", args=[pk]))
        return _render_concern(request, concern, {"review": form})


# --- Search by child reference ----------------------------------------------------------------------------------


class ChildSearchView(RoleRequiredMixin, View):
    """The header's search: a child's audits, actions and Children of Concern, each within the person's scope.

    Open to everyone signed in (practitioners own actions without a role); what each person finds is
    what the scoped selectors give them, so a child outside their scope reads as "no results".
    """

    def get(self, request):
        reference = request.GET.get("q", "").strip()[:40]
        context = {"reference": reference, "limit": SEARCH_LIMIT, "today": timezone.localdate()}
        if reference:
            context["results"] = child_reference_search(request.user, reference, context["today"], limit=SEARCH_LIMIT)
        return TemplateResponse(request, "actions/search_results.html", context)
