"""Filters for the exemption list and My audits (django-filter)."""

import django_filters
from django import forms

from audits.models import Audit, Exemption


class ExemptionFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(
        label="Status",
        widget=forms.Select(choices=[("", "Active or withdrawn"), ("true", "Active"), ("false", "Withdrawn")]),
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Exemption.Kind.choices, empty_label="Any kind")
    reason = django_filters.ChoiceFilter(label="Reason", choices=Exemption.Reason.choices, empty_label="Any reason")

    class Meta:
        model = Exemption
        fields = ["is_active", "kind", "reason"]


class MyAuditFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="Status", choices=Audit.Status.choices, empty_label="Any status")

    class Meta:
        model = Audit
        fields = ["status"]
