"""Figures for the home page's manager and QA panels: a fixed number of queries whatever the data size, kept in
the cache until the data changes (common/versioned_cache.py): the home page is the page people open most, and
counting overdue actions scans every action."""

from django import template
from django.db.models import Count
from django.utils import timezone

from actions.models import Action
from actions.selectors import concern_counts, concerns_visible_to, status_q
from common.versioned_cache import cached
from people.selectors import teams_managed_by

register = template.Library()


@register.simple_tag(takes_context=True)
def actions_panel_figures(context, panel: str) -> dict:
    """`{% actions_panel_figures "manager" as figures %}`: overdue actions in scope and Child of Concern counts."""
    user = context["request"].user
    today = timezone.localdate()

    def compute() -> dict:
        actions = Action.objects.all()
        if panel == "manager":
            actions = actions.filter(audit__team__in=teams_managed_by(user))
        overdue = actions.aggregate(n=Count("id", filter=status_q(Action.Status.OVERDUE, today)))["n"]
        return {"overdue_actions": overdue, "concerns": concern_counts(concerns_visible_to(user), today)}

    # Keyed by the person (their scope), the panel and the day; any write moves the data version on.
    return cached("home_actions_panel", (user.pk, panel, today), compute)
