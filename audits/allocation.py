"""The monthly allocation rules, computed in memory.

`month_plan_propose` (audits/services.py) loads everything it needs in a
handful of queries and hands plain data to `allocate`, so the rules can be
read (and tested) in one place and the query count does not grow with the
number of auditors, teams or children.

The rules, in the order they apply:

1. Re-audits come first: a child whose returned audit `reaudit_after_months`
   before the month had the final grade Inadequate, and who has not been
   allocated since, is proposed with kind "re-audit".
2. Every team is brought up to its monthly target before any team gets more:
   the next child comes from a team still below its target, the one with
   the fewest allocations so far; once all are at target, from the team with
   the fewest. Ties go to the team with fewer returned audits in the last
   three months, then to a seeded random order.
3. Within a team, children whose social worker's practice has not been
   audited in `practitioner_interval_months` come first (one per social
   worker, so the proposal spreads across practitioners), then children never
   audited, then those audited longest ago.
4. An auditor never audits a child of their own team (member, manager or head
   of service) unless the policy allows it, and never a child whose social
   worker they are.

Who is available, and which children are eligible (open, not audited or
being audited within `skip_children_audited_within_months`), is decided by
the caller: see `audits/allocation_selectors.py`.
The same inputs and the same seed always give the same proposal: every input
is sorted by id before the seeded generator draws from it.
"""

from __future__ import annotations

import datetime
import heapq
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from audits.models import ProposedAllocation

# Callers planning a month read the month helpers from here too.
from audits.periods import add_months, month_end, month_start  # noqa: F401

# Bi-monthly auditors audit in even-numbered months (February, April, ...,
# December). Because December is even and January odd, the alternation holds
# across the new year too.
BIMONTHLY_AUDIT_MONTH_PARITY = 0


def due_date(month: datetime.date, due_day: int) -> datetime.date:
    """The due date in `month`: the policy's day, clamped to the month's length (25 stays 25; 31 in Feb is 28/29)."""
    return month.replace(day=min(max(due_day, 1), month_end(month).day))


def is_bimonthly_audit_month(month: datetime.date) -> bool:
    return month.month % 2 == BIMONTHLY_AUDIT_MONTH_PARITY


@dataclass(frozen=True)
class AuditorIn:
    id: int
    slots: int
    # Teams whose children this auditor may not audit (their own), already
    # empty when the policy allows auditing one's own team.
    own_team_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TeamIn:
    id: int
    target: int
    recent_returned: int = 0


@dataclass(frozen=True)
class ChildIn:
    id: int
    team_id: int
    social_worker_id: int | None
    last_audited: datetime.date | None = None


@dataclass(frozen=True)
class ReauditIn:
    child: ChildIn
    inadequate_month: datetime.date


@dataclass(frozen=True)
class Rules:
    month: datetime.date
    practitioner_interval_months: int = 6
    # Social workers whose practice was audited (returned) within the interval.
    recently_audited_social_worker_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Line:
    auditor_id: int
    child_id: int
    kind: str
    reason: str


@dataclass
class Result:
    lines: list[Line] = field(default_factory=list)
    # Auditor ids with slots no child could fill, so the page can say so.
    unfilled_auditor_ids: list[int] = field(default_factory=list)


def _reason(child: ChildIn, social_worker_due: bool, interval: int) -> str:
    parts = []
    if social_worker_due:
        parts.append(f"social worker not audited in {interval} months")
    if child.last_audited is None:
        parts.append("never audited")
    else:
        parts.append(f"not audited since {child.last_audited:%b %Y}")
    return "; ".join(parts)


class _Auditors:
    """Free slots per auditor and the choice of auditor for a child."""

    def __init__(self, auditors: list[AuditorIn], rng: random.Random) -> None:
        ordered = sorted(auditors, key=lambda a: a.id)
        rng.shuffle(ordered)
        self.ordered = ordered
        self.free = {a.id: a.slots for a in ordered if a.slots > 0}

    @property
    def total_free(self) -> int:
        return sum(self.free.values())

    def any_for_team(self, team_id: int) -> bool:
        return any(self.free.get(a.id) and team_id not in a.own_team_ids for a in self.ordered)

    def choose(self, child: ChildIn, unmet: dict[int, int]) -> int | None:
        """The auditor for `child`: allowed to audit it, with a free slot.

        Among those, prefer the auditor whose own teams still need the most
        audits: they cannot serve those teams, so using them elsewhere first
        leaves the others free to reach those teams' targets.
        """
        best_id, best_pressure = None, -1
        for auditor in self.ordered:
            if not self.free.get(auditor.id):
                continue
            if child.team_id in auditor.own_team_ids or auditor.id == child.social_worker_id:
                continue
            pressure = sum(unmet.get(t, 0) for t in auditor.own_team_ids)
            if pressure > best_pressure:
                best_id, best_pressure = auditor.id, pressure
        if best_id is not None:
            self.free[best_id] -= 1
        return best_id


def allocate(
    *,
    rules: Rules,
    auditors: Iterable[AuditorIn],
    teams: Iterable[TeamIn],
    children: Iterable[ChildIn],
    reaudits: Iterable[ReauditIn] = (),
    seed: int = 0,
) -> Result:
    rng = random.Random(seed)
    pool = _Auditors(list(auditors), rng)
    teams_by_id = {t.id: t for t in sorted(teams, key=lambda t: t.id)}
    team_rank = list(teams_by_id)
    rng.shuffle(team_rank)
    team_rank_of = {team_id: i for i, team_id in enumerate(team_rank)}
    count: dict[int, int] = dict.fromkeys(teams_by_id, 0)
    unmet = {t.id: t.target for t in teams_by_id.values()}
    used_social_workers: set[int] = set()
    result = Result()

    def take(child: ChildIn, auditor_id: int, kind: str, reason: str) -> None:
        result.lines.append(Line(auditor_id=auditor_id, child_id=child.id, kind=kind, reason=reason))
        count[child.team_id] = count.get(child.team_id, 0) + 1
        unmet[child.team_id] = max(0, unmet.get(child.team_id, 0) - 1)
        if child.social_worker_id is not None:
            used_social_workers.add(child.social_worker_id)

    # 1. Re-audits, the longest-waiting first.
    reaudit_child_ids = set()
    for item in sorted(reaudits, key=lambda r: (r.inadequate_month, r.child.id)):
        reaudit_child_ids.add(item.child.id)
        if item.child.team_id not in teams_by_id:
            continue
        auditor_id = pool.choose(item.child, unmet)
        if auditor_id is not None:
            reason = f"re-audit after Inadequate ({item.inadequate_month:%b %Y})"
            take(item.child, auditor_id, ProposedAllocation.Kind.REAUDIT, reason)

    # 2 and 3. One heap of candidates per team, best first.
    interval_cutoff = rules.recently_audited_social_worker_ids

    def social_worker_due(child: ChildIn) -> bool:
        sw = child.social_worker_id
        return sw is not None and sw not in interval_cutoff and sw not in used_social_workers

    child_list = sorted((c for c in children if c.id not in reaudit_child_ids), key=lambda c: c.id)
    child_rank = list(range(len(child_list)))
    rng.shuffle(child_rank)
    heaps: dict[int, list] = {}
    for child, rank in zip(child_list, child_rank, strict=True):
        if child.team_id not in teams_by_id:
            continue
        due = social_worker_due(child)
        key = (not due, child.last_audited is not None, child.last_audited or datetime.date.min, rank)
        heaps.setdefault(child.team_id, []).append((key, child.id, child))
    for heap in heaps.values():
        heapq.heapify(heap)

    def team_key(team_id: int) -> tuple:
        team = teams_by_id[team_id]
        n = count[team_id]
        return (n >= team.target, n, team.recent_returned, team_rank_of[team_id])

    team_heap = [(team_key(t), t) for t in heaps]
    heapq.heapify(team_heap)
    while team_heap and pool.total_free:
        _, team_id = heapq.heappop(team_heap)
        if not pool.any_for_team(team_id):
            # Only this team's own auditors have slots left; it can get no more.
            continue
        heap = heaps[team_id]
        set_aside = []
        while heap:
            key, child_id, child = heapq.heappop(heap)
            due = social_worker_due(child)
            if key[0] is False and not due:
                # The social worker's practice is already covered by this
                # proposal: the child loses that preference and goes back in.
                heapq.heappush(heap, ((True, *key[1:]), child_id, child))
                continue
            auditor_id = pool.choose(child, unmet)
            if auditor_id is None:
                # Only the child's own social worker could take it; try the next child.
                set_aside.append((key, child_id, child))
                continue
            take(
                child,
                auditor_id,
                ProposedAllocation.Kind.ROUTINE,
                _reason(child, due, rules.practitioner_interval_months),
            )
            break
        else:
            # No child of this team could be placed with anyone free.
            continue
        for item in set_aside:
            heapq.heappush(heap, item)
        if heap:
            heapq.heappush(team_heap, (team_key(team_id), team_id))

    result.unfilled_auditor_ids = sorted(a for a, n in pool.free.items() if n)
    return result
