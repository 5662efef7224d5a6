"""The filter and sort of My audits (django-filter)."""

import django_filters

from audits.models import Audit
from common.forms import SensibleMonthField
from common.listing import ListFilterSet, SortFilter


class MonthFilter(django_filters.Filter):
    field_class = SensibleMonthField


class MyAuditFilter(ListFilterSet):
    month = MonthFilter(label="Month", field_name="month", help_text="For example 2026-11.")
    status = django_filters.ChoiceFilter(label="Status", choices=Audit.Status.choices, empty_label="Any status")
    # The column headers (common.listing); by default newest month first, as the view orders it.
    sort = SortFilter(
        fields=(
            ("month", "month"),
            ("child__case_ref", "child"),
            ("team__name", "team"),
            ("legal_status", "legal_status"),
            ("due_on", "due"),
            ("status", "status"),
        ),
        default="-month",
        tiebreak=("due_on", "child__case_ref", "pk"),
        descending_first=("month",),
    )

    class Meta:
        model = Audit
        fields = ["month", "status"]
