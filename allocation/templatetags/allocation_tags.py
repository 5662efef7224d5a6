"""Figures for the home panels about allocation and returns (one query each, whatever the data), and a returns
table row's name."""

from django import template
from django.utils import timezone

from allocation.models import MonthPlan
from allocation.selectors import month_returns_counts
from common.periods import add_months, month_start

register = template.Library()


@register.simple_tag
def allocation_next_month() -> dict:
    """Next month and how far its plan has got, for the QA team's "Plan <month>'s allocation" link."""
    month = add_months(month_start(timezone.localdate()), 1)
    status = MonthPlan.objects.filter(month=month).values_list("status", flat=True).first()
    return {
        "month": month,
        "status": status,
        "label": {None: "not proposed yet", MonthPlan.Status.DRAFT: "proposal to review and confirm"}.get(
            status, "confirmed"
        ),
    }


@register.simple_tag
def returns_this_month() -> dict:
    """This month's returned, scheduled and overdue counts, for the QA team's "This month's returns" link."""
    today = timezone.localdate()
    return {"month": month_start(today), **month_returns_counts(month_start(today), today)}


@register.filter
def row_value(row: dict, key: str):
    """`{{ row|row_value:name_field }}`: a returns row's value under a key the template is given (the programme's
    or the team's name), for the table include both of them share."""
    return row[key]
