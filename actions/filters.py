"""Filters for the action tracker and the Child of Concern list (django-filter).

The tracker's status is derived as of a day (today unless `as_of` is given, as the
report's links do), in SQL through `actions.selectors`, so filtering and counting
agree with contracts.md.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from actions.models import Action, ChildOfConcern
from actions.selectors import (
    actions_visible_to,
    completed_q,
    concern_overdue_q,
    concerns_visible_to,
    open_q,
    status_q,
    with_status,
)
from people.models import ServiceArea, Team, User
from people.selectors import teams_managed_by

MONTH_WIDGET = forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}, format="%Y-%m")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])


# The pickers offer only teams and owners that have actions the person can see. EXISTS per team or
# person uses the foreign-key indexes, so the pickers stay quick with a decade of actions.


def _team_choices(request) -> object:
    if request is None:
        return Team.objects.none()
    visible = actions_visible_to(request.user).filter(audit__team=OuterRef("pk"))
    return Team.objects.filter(Exists(visible)).order_by("name")


def _owner_choices(request) -> object:
    if request is None:
        return User.objects.none()
    visible = actions_visible_to(request.user).filter(owner=OuterRef("pk"))
    return User.objects.filter(Exists(visible)).order_by("last_name", "first_name", "username")


class ActionFilter(django_filters.FilterSet):
    STATUS_CHOICES = [
        ("open", "Open (overdue or not yet due)"),
        *Action.Status.choices,
        ("completed", "Completed (on time or late)"),
    ]

    view = django_filters.ChoiceFilter(
        label="Whose actions",
        choices=[("mine", "Actions I own"), ("teams", "My teams' actions")],
        empty_label="Everything I can see",
        method="filter_view",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, empty_label="Any status", method="filter_status"
    )
    team = django_filters.ModelChoiceFilter(
        label="Team", field_name="audit__team", queryset=_team_choices, empty_label="Any team"
    )
    service_area = django_filters.ModelChoiceFilter(
        label="Service area", field_name="audit__service_area", queryset=ServiceArea.objects.all(), empty_label="Any"
    )
    owner = django_filters.ModelChoiceFilter(label="Owner", queryset=_owner_choices, empty_label="Anyone")
    due_after = django_filters.DateFilter(
        label="Due on or after", field_name="due_on", lookup_expr="gte", widget=DATE_WIDGET
    )
    due_before = django_filters.DateFilter(
        label="Due on or before", field_name="due_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    audit_month_from = django_filters.DateFilter(
        label="Audit month from",
        field_name="audit__month",
        lookup_expr="gte",
        input_formats=["%Y-%m"],
        widget=MONTH_WIDGET,
        help_text="YYYY-MM",
    )
    audit_month_to = django_filters.DateFilter(
        label="Audit month to",
        field_name="audit__month",
        lookup_expr="lte",
        input_formats=["%Y-%m"],
        widget=MONTH_WIDGET,
        help_text="YYYY-MM",
    )
    audit_month_before = django_filters.DateFilter(
        label="Audits before",
        field_name="audit__month",
        lookup_expr="lt",
        input_formats=["%Y-%m"],
        widget=MONTH_WIDGET,
        help_text="YYYY-MM: actions of earlier audits",
    )
    in_care_plan = django_filters.BooleanFilter(label="In the care plan", widget=YES_NO)
    as_of = django_filters.DateFilter(
        label="Status as of", method="filter_as_of", widget=DATE_WIDGET, help_text="Blank: today"
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("due_on", "due"), ("audit__month", "audit_month"), ("completed_on", "completed")),
        field_labels={
            "due": "Due date, oldest first",
            "-due": "Due date, newest first",
            "audit_month": "Audit month, oldest first",
            "-audit_month": "Audit month, newest first",
            "completed": "Completion date, oldest first",
            "-completed": "Completion date, newest first",
        },
        empty_label="Due date, oldest first",
    )

    class Meta:
        model = Action
        fields: list[str] = []

    @property
    def as_of_day(self) -> datetime.date:
        cleaned = getattr(self.form, "cleaned_data", None) or {}
        return cleaned.get("as_of") or timezone.localdate()

    def filter_view(self, queryset, name, value):
        user = self.request.user
        if value == "mine":
            return queryset.filter(owner=user)
        if value == "teams":
            return queryset.filter(audit__team__in=teams_managed_by(user))
        return queryset

    def filter_status(self, queryset, name, value):
        day = self.as_of_day
        if value == "open":
            return queryset.filter(open_q(day))
        if value == "completed":
            return queryset.filter(completed_q(day))
        return queryset.filter(status_q(value, day))

    def filter_as_of(self, queryset, name, value):
        # Used by the status filter and the status column, not a filter of its own.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("due_on", "id")
        return with_status(queryset, self.as_of_day)


class ConcernFilter(django_filters.FilterSet):
    STATE_CHOICES = [
        ("open", "Open"),
        ("awaiting", "Awaiting response"),
        ("overdue", "Response overdue"),
        ("under_review", "Response under review"),
        ("resolved_this_month", "Resolved this month"),
        ("resolved", "Resolved"),
    ]

    state = django_filters.ChoiceFilter(label="Show", choices=STATE_CHOICES, empty_label="All", method="filter_state")
    team = django_filters.ModelChoiceFilter(
        label="Team", field_name="audit__team", queryset=lambda request: _concern_teams(request), empty_label="Any team"
    )
    audit_month = django_filters.DateFilter(
        label="Audit month",
        field_name="audit__month",
        input_formats=["%Y-%m"],
        widget=MONTH_WIDGET,
        help_text="YYYY-MM",
    )
    resolved_by = django_filters.DateFilter(
        label="Resolved on or before", field_name="resolved_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    open_on = django_filters.DateFilter(label="Not resolved by", method="filter_open_on", widget=DATE_WIDGET)

    class Meta:
        model = ChildOfConcern
        fields: list[str] = []

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        statuses = ChildOfConcern.Status
        by_state = {
            "open": ~Q(status=statuses.RESOLVED),
            "awaiting": Q(status=statuses.AWAITING_RESPONSE),
            "overdue": concern_overdue_q(today),
            "under_review": Q(status=statuses.RESPONDED),
            "resolved": Q(status=statuses.RESOLVED),
            "resolved_this_month": Q(
                status=statuses.RESOLVED, resolved_on__gte=today.replace(day=1), resolved_on__lte=today
            ),
        }
        return queryset.filter(by_state[value])

    def filter_open_on(self, queryset, name, value):
        return queryset.filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=value))


def _concern_teams(request):
    if request is None:
        return Team.objects.none()
    return Team.objects.filter(pk__in=concerns_visible_to(request.user).values("audit__team")).order_by("name")
