"""Filters for the action tracker and the Child of Concern list (django-filter).

The tracker's status is derived as of a day (today unless `as_of` is given, as the
report's links do), in SQL through `actions.selectors`, so filtering and counting
agree with contracts.md.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q
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
from common.forms import KeptChoicesField
from common.listing import ListFilterSet, SortFilter, days_overdue
from people.models import ServiceArea, Team, User
from people.selectors import staff_choice_label, teams_managed_by

MONTH_WIDGET = forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}, format="%Y-%m")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])


# The pickers offer only teams and owners that have actions the person can see. EXISTS per team or
# person uses the foreign-key indexes; the options are kept until the data changes (KeptChoicesField), so
# the scan and a label per option are not repeated on every view of the list.


def _team_choices(request) -> object:
    if request is None:
        return Team.objects.none()
    visible = actions_visible_to(request.user).filter(audit__team=OuterRef("pk"))
    return Team.objects.filter(Exists(visible)).order_by("name")


def _owner_choices(request) -> object:
    if request is None:
        return User.objects.none()
    visible = actions_visible_to(request.user).filter(owner=OuterRef("pk"))
    teams = Prefetch("teams", queryset=Team.objects.order_by("name"))  # for the labels, in one query
    return User.objects.filter(Exists(visible)).order_by("last_name", "first_name", "username").prefetch_related(teams)


class TeamField(KeptChoicesField):
    """Teams with actions the person can see: the options kept until the data changes (a scan of every action)."""


class OwnerField(KeptChoicesField):
    """Owners shown as they are sorted, surname first, with job title and teams (people.selectors); the options
    kept until the data changes (common.forms.KeptChoicesField)."""

    def label_from_instance(self, obj: User) -> str:
        return staff_choice_label(obj)


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = OwnerField


class TeamFilter(django_filters.ModelChoiceFilter):
    field_class = TeamField


class ServiceAreaFilter(django_filters.ModelChoiceFilter):
    """Every service area: the options kept until the data changes, as the teams' are (read through a server-side
    cursor, Django's way with a model's options, they cost a query and two round trips on every view)."""

    field_class = KeptChoicesField


class ActionFilter(ListFilterSet):
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
    team = TeamFilter(label="Team", field_name="audit__team", queryset=_team_choices, empty_label="Any team")
    service_area = ServiceAreaFilter(
        label="Service area", field_name="audit__service_area", queryset=ServiceArea.objects.all(), empty_label="Any"
    )
    # data-autocomplete: static/js/staff-autocomplete.js turns a long list of owners into a type-ahead.
    owner = OwnerFilter(
        label="Owner",
        queryset=_owner_choices,
        empty_label="Anyone",
        widget=forms.Select(attrs={"data-autocomplete": "staff"}),
    )
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
    sort = SortFilter(
        fields=(
            ("audit__child__case_ref", "child"),
            ("audit__team__name", "team"),
            ("audit__month", "audit_month"),
            ("owner__last_name", "owner"),
            ("due_on", "due"),
            ("days_overdue", "days_overdue"),
            ("completed_on", "completed"),
        ),
        default="due",
        descending_first=("days_overdue",),
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
        # The status and days-overdue columns are worked out as of the day asked, in SQL, before the
        # filters and the sort, so that the list can be sorted by them.
        day = self.as_of_day
        queryset = with_status(queryset, day).annotate(
            days_overdue=days_overdue("due_on", day, status_q(Action.Status.OVERDUE, day))
        )
        return super().filter_queryset(queryset)


class ConcernFilter(ListFilterSet):
    STATE_CHOICES = [
        ("open", "Open"),
        ("awaiting", "Awaiting response"),
        ("overdue", "Response overdue"),
        ("under_review", "Response under review"),
        ("resolved_this_month", "Resolved this month"),
        ("resolved", "Resolved"),
    ]

    state = django_filters.ChoiceFilter(label="Show", choices=STATE_CHOICES, empty_label="All", method="filter_state")
    team = TeamFilter(
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
    sort = SortFilter(
        fields=(
            ("child__case_ref", "child"),
            ("audit__team__name", "team"),
            ("audit__month", "audit_month"),
            ("raised_on", "raised"),
            ("notified_at", "notified"),
            ("response_due_on", "response_due"),
            ("days_overdue", "days_overdue"),
        ),
        default="response_due",
        descending_first=("days_overdue",),
    )

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

    def filter_queryset(self, queryset):
        today = timezone.localdate()
        queryset = queryset.annotate(days_overdue=days_overdue("response_due_on", today, concern_overdue_q(today)))
        return super().filter_queryset(queryset)


def _concern_teams(request):
    if request is None:
        return Team.objects.none()
    return Team.objects.filter(pk__in=concerns_visible_to(request.user).values("audit__team")).order_by("name")
