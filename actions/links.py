"""Links from a report figure to the list behind it, so every number can be clicked through (domain.md).

The report (reports app) calls these rather than building query strings itself:
the tracker's and the Child of Concern list's filters are defined here, in one
app, and a test holds each link to its figure.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from common.periods import months_ending

ACTION_FIGURE_KEYS = ("total", "overdue", "completed_late", "completed_on_time", "not_yet_due", "older_open")
CONCERN_FIGURE_KEYS = ("raised", "resolved", "open")


def action_figure_url(month: datetime.date, as_of: datetime.date, key: str) -> str:
    """The tracker listing exactly the actions counted in `action_figures(month, as_of)[key]`."""
    if key not in ACTION_FIGURE_KEYS:
        raise ValueError(f"Unknown action figure {key!r}")
    window = months_ending(month, 3)
    params = {"view": "", "as_of": as_of.isoformat()}
    if key == "older_open":
        params.update({"status": "open", "audit_month_before": f"{window[0]:%Y-%m}"})
    else:
        params.update(
            {
                "status": "" if key == "total" else key,
                "audit_month_from": f"{window[0]:%Y-%m}",
                "audit_month_to": f"{window[-1]:%Y-%m}",
            }
        )
    return reverse("actions:list") + "?" + urlencode(params)


def concern_figure_url(month: datetime.date, as_of: datetime.date, key: str) -> str:
    """The Child of Concern list behind `children_of_concern_figures(month, as_of)[key]`."""
    if key not in CONCERN_FIGURE_KEYS:
        raise ValueError(f"Unknown Child of Concern figure {key!r}")
    params = {"state": "", "audit_month": f"{month:%Y-%m}"}
    if key == "resolved":
        params["resolved_by"] = as_of.isoformat()
    elif key == "open":
        params["open_on"] = as_of.isoformat()
    return reverse("actions:coc_list") + "?" + urlencode(params)
