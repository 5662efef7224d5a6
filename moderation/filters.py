"""Filters for the QA team's moderation pages (django-filter)."""

import django_filters

from moderation.models import Moderation
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


class SampleFilter(django_filters.FilterSet):
    """The month's sample, by status, reason and moderator."""

    status = django_filters.ChoiceFilter(label="Status", choices=Moderation.Status.choices, empty_label="Any status")
    sample_reason = django_filters.ChoiceFilter(
        label="Why sampled", choices=Moderation.SampleReason.choices, empty_label="Any reason"
    )
    moderator = django_filters.ModelChoiceFilter(
        label="Moderator", queryset=User.objects.filter(is_moderator=True), empty_label="All moderators"
    )

    class Meta:
        model = Moderation
        fields = ["status", "sample_reason", "moderator"]
