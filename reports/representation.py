"""Representation: how much of the service's open caseload twelve months of audits cover (seed 000: "this
12-month total (551) represents 15 % of the service's activity").

`representation(last, scope)` counts the audits returned in the 12 months ending with `last` (*returned* as
everywhere: `Audit.objects.returned()`, the report's `RETURNED`; within the report's scope) over the children
open now in the caseload (`caseload.Child.is_open`), overall, by team and by service area. An audit counts for
the team and the service area it was recorded against; an open child for its team and that team's service area.
Three queries whatever the data: the audits grouped by team and service area, the open children grouped by
team, and the active teams.

It also counts each team's returned audits over `first`..`last` (the report month, or a period's months), which
the audits-per-team target reads (`reports.targets`). Nothing here is part of the report's JSON.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from audits.models import Audit
from audits.selectors import ReportScope
from caseload.models import Child
from common.figures import percent
from common.periods import add_months, month_key, month_start
from people.models import Team

REPRESENTATION_MONTHS = 12


@dataclass
class Share:
    """Returned audits over open cases for one group (the whole service, a team or a service area)."""

    name: str
    returned: int = 0
    open_cases: int = 0
    # Returned audits over `first`..`last`, for the audits-per-team target (teams only).
    returned_in_window: int = 0
    service_area: str = ""
    is_active: bool = False

    @property
    def percent(self) -> float | None:
        value = percent(self.returned, self.open_cases)
        return None if value is None else float(value)


@dataclass
class Representation:
    first: datetime.date  # the first of the 12 months
    last: datetime.date  # the last of them (the report month, or the period's last month)
    window_first: datetime.date  # the first month the teams' `returned_in_window` counts
    overall: Share
    service_areas: list[Share] = field(default_factory=list)
    teams: list[Share] = field(default_factory=list)

    @property
    def window_months(self) -> int:
        return (self.last.year - self.window_first.year) * 12 + self.last.month - self.window_first.month + 1

    @property
    def month_from(self) -> str:
        return month_key(self.first)

    @property
    def month_to(self) -> str:
        return month_key(self.last)


def representation(
    last: datetime.date, scope: ReportScope | None = None, *, window_first: datetime.date | None = None
) -> Representation:
    """Returned audits in the 12 months ending with `last` over the caseload's open children (three queries)."""
    last = month_start(last)
    first = add_months(last, -(REPRESENTATION_MONTHS - 1))
    window_first = month_start(window_first or last)
    scope = scope or ReportScope.monthly()
    audit_rows = (
        Audit.objects.returned()
        .filter(scope.q(), month__gte=min(first, window_first), month__lte=last)
        .order_by()
        .values("team__name", "team__service_area__name", "team__is_active", "service_area__name")
        .annotate(
            returned=Count("id", filter=Q(month__gte=first)),
            in_window=Count("id", filter=Q(month__gte=window_first)),
        )
    )
    children = Child.objects.filter(is_open=True)
    teams_query = Team.objects.filter(is_active=True)
    if scope.service_area is not None:
        children = children.filter(team__service_area=scope.service_area)
        teams_query = teams_query.filter(service_area=scope.service_area)
    child_rows = children.order_by().values("team__name", "team__service_area__name", "team__is_active")
    child_rows = child_rows.annotate(open_cases=Count("id"))

    teams: dict[str, Share] = {
        name: Share(name, service_area=area, is_active=True)
        for name, area in teams_query.values_list("name", "service_area__name")
    }
    areas: dict[str, Share] = {}

    def team(row: dict[str, Any]) -> Share:
        name = row["team__name"]
        if name not in teams:
            teams[name] = Share(name, service_area=row["team__service_area__name"], is_active=row["team__is_active"])
        return teams[name]

    def area(name: str) -> Share:
        return areas.setdefault(name, Share(name))

    overall = Share("All open cases")
    for row in audit_rows:
        team(row).returned += row["returned"]
        team(row).returned_in_window += row["in_window"]
        area(row["service_area__name"]).returned += row["returned"]
        overall.returned += row["returned"]
    for row in child_rows:
        team(row).open_cases += row["open_cases"]
        area(row["team__service_area__name"]).open_cases += row["open_cases"]
        overall.open_cases += row["open_cases"]
    # sorted(): the same order on every database (collations differ).
    return Representation(
        first=first,
        last=last,
        window_first=window_first,
        overall=overall,
        service_areas=sorted(areas.values(), key=lambda share: share.name),
        teams=sorted(teams.values(), key=lambda share: share.name),
    )
