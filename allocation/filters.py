"""The exemption list's filter and sort (django-filter)."""

import django_filters
from django import forms

from allocation.models import Exemption
from common.listing import ListFilterSet, SortFilter


class ExemptionFilter(ListFilterSet):
    is_active = django_filters.BooleanFilter(
        label="Status",
        widget=forms.Select(choices=[("", "Active or withdrawn"), ("true", "Active"), ("false", "Withdrawn")]),
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Exemption.Kind.choices, empty_label="Any kind")
    reason = django_filters.ChoiceFilter(label="Reason", choices=Exemption.Reason.choices, empty_label="Any reason")
    # The column headers (common.listing); with none chosen, active first and newest first.
    sort = SortFilter(
        fields=(
            ("user__last_name", "person"),
            ("kind", "kind"),
            ("reason", "reason"),
            ("approved_by", "approved_by"),
            ("is_active", "status"),
            ("created_at", "granted"),
        ),
        descending_first=("granted",),
    )

    class Meta:
        model = Exemption
        fields = ["is_active", "kind", "reason"]
