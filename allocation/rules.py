"""The monthly allocation rules, computed in memory.

`month_plan_propose` (allocation/services.py) loads everything it needs in a
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
the caller: see `allocation/selectors.py`.
The same inputs and the same seed always give the same proposal: every input
is sorted by id before the seeded generator draws from it.
"""

from __future__ import annotations

import datetime
import heapq
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from audits.models import AuditKind
from common.periods import month_end
from common.workdays import is_working_day, working_day_on_or_before

# Bi-monthly auditors audit in even-numbered months (February, April, ...,
# December). Because December is even and January odd, the alternation holds
# across the new year too.
BIMONTHLY_AUDIT_MONTH_PARITY = 0


def due_date(month: datetime.date, due_day: int) -> datetime.date:
    """The due date in `month`: the policy's day, clamped to the month's length (31 in February is the 28th or
    29th), moved back to the working day before when it falls on a weekend or a bank holiday (the 25th of
    December 2026 is Christmas Day: audits are due on Thursday the 24th).

    A day with no working day before it in the month (the 1st of January) moves forward instead, so the due
    date always falls within its month.
    """
    day = month.replace(day=min(max(due_day, 1), month_end(month).day))
    before = working_day_on_or_before(day)
    if before.month == month.month:
        return before
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


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
            take(item.child, auditor_id, AuditKind.REAUDIT, reason)

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
                AuditKind.ROUTINE,
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


# --- Themed audits, dip samples and practice weeks: a cohort's sample and who audits it -----------------------


def sample_size(cohort_size: int, *, count: int | None = None, percent: int | float | None = None) -> int:
    """How many children a sample of `cohort_size` takes: `count` (at most the cohort), or `percent` of it rounded
    half up (27 % of 361 is 97.47, so 97; 50 % of 3 is 1.5, so 2), at least one child when the percentage is
    above nought and the cohort is not empty."""
    if count is not None:
        return max(0, min(count, cohort_size))
    if percent is None or cohort_size == 0:
        return 0
    size = int((Decimal(cohort_size) * Decimal(str(percent)) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(1 if percent > 0 else 0, min(size, cohort_size))


def draw_sample(child_ids: Iterable[int], size: int, seed: int) -> list[int]:
    """`size` children drawn at random from `child_ids`; the same ids and seed always draw the same children.

    Families are not modelled (the caseload extract has no family key), so each child is drawn alone.
    """
    ordered = sorted(set(child_ids))
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


def assign_sample(
    *, children: Iterable[ChildIn], auditors: Iterable[AuditorIn], seed: int = 0
) -> dict[int, int | None]:
    """An auditor for each sampled child, under the monthly audit's conflict rules (rule 4 above): never a child
    of the auditor's own team (their `own_team_ids`, empty when the policy allows it), never one whose social
    worker they are. The work is spread evenly: each child goes to the allowed auditor with the fewest children
    so far, ties broken by a seeded order. A child nobody may audit maps to None, so the page can say so.

    Children are placed hardest first (those fewest auditors may take), so a team's own staff do not use up the
    only auditors its children can have.
    """
    pool = sorted(auditors, key=lambda a: a.id)
    random.Random(seed).shuffle(pool)
    order = {a.id: i for i, a in enumerate(pool)}
    load = dict.fromkeys(order, 0)

    def allowed(child: ChildIn) -> list[AuditorIn]:
        return [a for a in pool if child.team_id not in a.own_team_ids and a.id != child.social_worker_id]

    options = {child.id: (child, allowed(child)) for child in sorted(children, key=lambda c: c.id)}
    result: dict[int, int | None] = {}
    for child_id, (_, choices) in sorted(options.items(), key=lambda item: (len(item[1][1]), item[0])):
        if not choices:
            result[child_id] = None
            continue
        chosen = min(choices, key=lambda a: (load[a.id], order[a.id]))
        load[chosen.id] += 1
        result[child_id] = chosen.id
    _even_out(result, {child_id: [a.id for a in choices] for child_id, (_, choices) in options.items()}, load, order)
    return result


def _even_out(result: dict[int, int | None], choices: dict[int, list[int]], load: dict[int, int], order) -> None:
    """Move children along chains of allowed auditors until no auditor has two more children than another could
    take: the greedy pass above can leave auditor A with five and C with three when only B stands between them (A
    gives a child to B, B one to C). Each move lowers the heaviest load, so this ends."""
    held: dict[int, list[int]] = {auditor_id: [] for auditor_id in load}
    for child_id, auditor_id in sorted(result.items()):
        if auditor_id is not None:
            held[auditor_id].append(child_id)
    while True:
        lightest = min(load.values(), default=0)
        # Only an auditor with two more children than the lightest can give one away.
        for source in sorted((a for a in load if load[a] >= lightest + 2), key=lambda a: (-load[a], order[a])):
            # Breadth-first from the source: an edge a -> b is a child of a that b may audit.
            previous: dict[int, tuple[int, int]] = {}
            queue, seen, target = [source], {source}, None
            while queue and target is None:
                holder = queue.pop(0)
                for child_id in sorted(held[holder]):
                    for other in choices[child_id]:
                        if other in seen:
                            continue
                        seen.add(other)
                        previous[other] = (holder, child_id)
                        if load[other] <= load[source] - 2:
                            target = other
                            break
                        queue.append(other)
                    if target is not None:
                        break
            if target is None:
                continue
            node = target
            while node != source:
                holder, child_id = previous[node]
                result[child_id] = node
                held[holder].remove(child_id)
                held[node].append(child_id)
                node = holder
            load[target] += 1
            load[source] -= 1
            break
        else:
            return
