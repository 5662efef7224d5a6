"""Figures for the home panels about allocation (one query each, whatever the data)."""

from django import template
from django.utils import timezone

from audits.models import MonthPlan
from audits.periods import add_months, month_start

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
