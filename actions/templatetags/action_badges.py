"""An action's status and a Child of Concern's state as badges: words always, colour only as a second cue.

Written in Python, not a template include, since the tracker and the concerns list write one on every row.

    {% load action_badges %}
    {{ action.status|action_status_badge }}   {{ concern|concern_state_badges:today }}
"""

from __future__ import annotations

import datetime

from django import template
from django.utils.safestring import SafeString, mark_safe

from actions.models import Action, ChildOfConcern

register = template.Library()

STATUS_BADGES = {
    Action.Status.OVERDUE: '<span class="badge text-bg-danger">Overdue</span>',
    Action.Status.NOT_YET_DUE: '<span class="badge text-bg-secondary">Not yet due</span>',
    Action.Status.COMPLETED_ON_TIME: '<span class="badge text-bg-success">Completed on time</span>',
    Action.Status.COMPLETED_LATE: '<span class="badge text-bg-warning">Completed late</span>',
}


@register.filter
def action_status_badge(status: str) -> SafeString:
    """`status` is an Action.Status value (the row's status as of the day asked); nothing for anything else."""
    return mark_safe(STATUS_BADGES.get(status, ""))  # noqa: S308 - fixed markup


@register.filter
def concern_state_badges(concern: ChildOfConcern, today: datetime.date) -> SafeString:
    """The concern's state in words, then whether a draft is saved and whether the grade was since lifted."""
    statuses = ChildOfConcern.Status
    if concern.status == statuses.RESOLVED:
        badges = '<span class="badge text-bg-success">Resolved</span>'
    elif concern.status == statuses.RESPONDED:
        badges = '<span class="badge text-bg-info">Response under review</span>'
    elif concern.response_due_on < today:
        badges = '<span class="badge text-bg-danger">Response overdue</span>'
    else:
        badges = '<span class="badge text-bg-warning">Awaiting response</span>'
    if concern.status == statuses.AWAITING_RESPONSE and concern.draft_saved_at:
        badges += ' <span class="badge text-bg-light border">Draft saved, not sent</span>'
    if concern.grade_lifted_at and concern.status != statuses.RESOLVED:
        badges += ' <span class="badge text-bg-light border">Grade since lifted</span>'
    return mark_safe(badges)  # noqa: S308 - fixed markup
