"""What every list page writes many times, written in Python: the same markup the templates wrote (a template
include per row cost more than the rest of the row; crispy-forms' templates per filter field, as much as the list).

    {% load list_cells %}
    {{ action.days_overdue|days_overdue_cell }}   {{ field|as_filter_field }}
"""

from __future__ import annotations

import datetime

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.forms.boundfield import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from common.filter_fields import filter_field_html, is_plain

register = template.Library()

NOT_OVERDUE = mark_safe(  # noqa: S308 - fixed markup
    '<td class="text-end"><span class="visually-hidden">not overdue</span><span aria-hidden="true">–</span></td>'
)


@register.filter
def days_overdue_cell(overdue: datetime.timedelta | None) -> SafeString:
    """The days-overdue cell of a list: `overdue` is the row's `days_overdue` (a duration worked out in the
    database, see common.listing.days_overdue), or None when the row is not overdue."""
    if overdue is None:
        return NOT_OVERDUE
    return format_html('<td class="text-end">{}</td>', overdue.days)


@register.filter
def as_filter_field(field: BoundField) -> SafeString:
    """`{{ field|as_filter_field }}`: crispy-forms' `as_crispy_field` markup, written in Python for the plain
    fields of a list's filters (common/filter_fields.py), by crispy-forms for any other."""
    if is_plain(field):
        return filter_field_html(field)
    return as_crispy_field(field)
