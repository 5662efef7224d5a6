"""Filters for the QA team's moderation pages (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from common.forms import KeptChoicesField
from common.listing import ListFilterSet, SortFilter, days_overdue
from moderation.models import Moderation
from moderation.selectors import grade_rank
from people.models import Team, User


class PanelFilter(django_filters.FilterSet):
    """The monthly moderation panel: disagreements by team, auditor and moderator."""

    team = django_filters.ModelChoiceFilter(
        field_name="audit__team", label="Team", queryset=Team.objects.all(), empty_label="All teams"
    )
    auditor = django_filters.ModelChoiceFilter(
        field_name="audit__auditor",
        label="Auditor",
        queryset=User.objects.filter(is_auditor=True),
        empty_label="All auditors",
    )
    moderator = django_filters.ModelChoiceFilter(
        label="Moderator", queryset=User.objects.filter(is_moderator=True), empty_label="All moderators"
    )

    class Meta:
        model = Moderation
        fields = ["team", "auditor", "moderator"]


class KeptModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose options are kept in the cache until the data changes (common.forms)."""

    field_class = KeptChoicesField


class SampleFilter(ListFilterSet):
    """The month's sample, by status, reason and moderator, sortable by any column (grades worst first)."""

    sort = SortFilter(
        fields=(
            ("audit__child__case_ref", "child"),
            ("audit__team__name", "team"),
            ("audit__auditor__last_name", "auditor"),
            ("auditor_grade_rank", "grade"),
            ("sample_reason", "reason"),
            ("status", "status"),
            ("moderator__last_name", "moderator"),
            ("due_on", "due"),
        ),
    )

    status = django_filters.ChoiceFilter(label="Status", choices=Moderation.Status.choices, empty_label="Any status")
    sample_reason = django_filters.ChoiceFilter(
        label="Why sampled", choices=Moderation.SampleReason.choices, empty_label="Any reason"
    )
    moderator = KeptModelChoiceFilter(
        label="Moderator", queryset=User.objects.filter(is_moderator=True), empty_label="All moderators"
    )

    class Meta:
        model = Moderation
        fields = ["status", "sample_reason", "moderator"]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.annotate(auditor_grade_rank=grade_rank("audit__auditor_grade")))


# Sortable lists (common.listing): the moderator's queue, the third checks and the auditor's feedback.


class QueueSort(ListFilterSet):
    """The moderator's queue: oldest assignment first unless a column header says otherwise."""

    sort = SortFilter(
        fields=(
            ("audit__child__case_ref", "child"),
            ("audit__team__name", "team"),
            ("audit__month", "month"),
            ("audit__auditor__last_name", "auditor"),
            ("assigned_at", "assigned"),
            ("due_on", "due"),
            ("days_overdue", "days_overdue"),
        ),
        default="assigned",
        descending_first=("days_overdue",),
    )

    class Meta:
        model = Moderation
        fields: list[str] = []

    def filter_queryset(self, queryset):
        today = timezone.localdate()
        overdue = Q(status=Moderation.Status.ASSIGNED, due_on__lt=today)
        return super().filter_queryset(queryset.annotate(days_overdue=days_overdue("due_on", today, overdue)))


class ReviewSort(ListFilterSet):
    """Moderated audits awaiting the third check: oldest moderation first by default."""

    sort = SortFilter(
        fields=(
            ("audit__child__case_ref", "child"),
            ("audit__month", "month"),
            ("audit__team__name", "team"),
            ("moderator__last_name", "moderator"),
            ("moderated_on", "moderated"),
        ),
        default="moderated",
    )

    class Meta:
        model = Moderation
        fields: list[str] = []


class FeedbackSort(ListFilterSet):
    """An auditor's moderated audits; with no column chosen, those still to finalise come first."""

    sort = SortFilter(
        fields=(
            ("audit__child__case_ref", "child"),
            ("audit__month", "month"),
            ("moderated_on", "moderated"),
            ("audit__finalised_on", "finalised"),
        ),
    )

    class Meta:
        model = Moderation
        fields: list[str] = []
