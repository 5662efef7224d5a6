"""The auditor's home-panel list of audits still to complete (one query, whatever the data size)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from audits.completion_selectors import audits_open_for

register = template.Library()

HOME_LIMIT = 5


@register.simple_tag
def audits_to_complete(user) -> dict:
    """The auditor's next audits to complete, soonest due first, and whether there are more."""
    rows = list(audits_open_for(user)[: HOME_LIMIT + 1])
    return {"audits": rows[:HOME_LIMIT], "more": len(rows) > HOME_LIMIT, "today": timezone.localdate()}
