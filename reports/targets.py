"""The report's figures against the QA team's targets, in words ("Return rate 82 % — target 90 %, 8 points below").

The figures are the report's own, read from the figures the report already shows (the contract's blocks and
`reports.representation`), never counted again; the targets are the one `ReportTargets` row. Nothing here is
part of the report's JSON. Each check is a `TargetCheck`; a blank target gives no check.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from common.figures import percent
from reports.models import ReportTargets
from reports.representation import Representation

DASH = "\N{EM DASH}"
EN_DASH = "\N{EN DASH}"


@dataclass(frozen=True)
class Targets:
    """The QA team's targets; None where none is set."""

    returns_percent: Decimal | None = None
    inadequate_below_percent: Decimal | None = None
    audits_per_team_month: int | None = None
    moderator_effect_low_percent: Decimal | None = None
    moderator_effect_high_percent: Decimal | None = None
    actions_on_time_percent: Decimal | None = None

    @property
    def has_moderator_band(self) -> bool:
        return self.moderator_effect_low_percent is not None and self.moderator_effect_high_percent is not None


TARGET_FIELDS = tuple(f.name for f in fields(Targets))


def report_targets() -> Targets:
    """The targets as set (one query); all blank before the QA team sets any."""
    row = ReportTargets.objects.filter(pk=ReportTargets.SINGLETON_PK).values(*TARGET_FIELDS).first()
    return Targets(**row) if row else Targets()


def number(value: Decimal | float | int) -> str:
    """82 for 82.0, 82.5 for 82.5: a whole number keeps no decimal point."""
    value = Decimal(str(value)).quantize(Decimal("0.1"))
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


def percent_text(value: Decimal | float | int) -> str:
    return f"{number(value)}\N{NO-BREAK SPACE}%"


def points(difference: Decimal) -> str:
    return f"{number(difference)} point{'' if difference == 1 else 's'}"


@dataclass(frozen=True)
class TargetCheck:
    """One figure against its target: `met` is None when there is no figure to judge."""

    key: str
    label: str
    figure: str
    target: str
    verdict: str
    met: bool | None

    @property
    def sentence(self) -> str:
        return f"{self.label} {self.figure} {DASH} {self.target}, {self.verdict}"


def at_least(key: str, label: str, figure: float | None, target: Decimal) -> TargetCheck:
    """A figure that should reach the target (return rate, actions on time)."""
    wanted = f"target {percent_text(target)}"
    if figure is None:
        return TargetCheck(key, label, "not counted", wanted, "no figure yet", None)
    shortfall = target - Decimal(str(figure))
    if shortfall <= 0:
        return TargetCheck(key, label, percent_text(figure), wanted, "met", True)
    return TargetCheck(key, label, percent_text(figure), wanted, f"{points(shortfall)} below", False)


def below(key: str, label: str, figure: float | None, target: Decimal) -> TargetCheck:
    """A figure that should stay under the target (Inadequate)."""
    wanted = f"target below {percent_text(target)}"
    if figure is None:
        return TargetCheck(key, label, "not counted", wanted, "no figure yet", None)
    excess = Decimal(str(figure)) - target
    if excess < 0:
        return TargetCheck(key, label, percent_text(figure), wanted, "met", True)
    verdict = "not met: at the target" if excess == 0 else f"{points(excess)} above"
    return TargetCheck(key, label, percent_text(figure), wanted, verdict, False)


def within(key: str, label: str, figure: float | None, low: Decimal, high: Decimal) -> TargetCheck:
    """A figure that should sit in a band (the moderator effect)."""
    wanted = f"target {number(low)}{EN_DASH}{percent_text(high)}"
    if figure is None:
        return TargetCheck(key, label, "not counted", wanted, "no figure yet", None)
    value = Decimal(str(figure))
    if value < low:
        return TargetCheck(key, label, percent_text(figure), wanted, f"{points(low - value)} below the band", False)
    if value > high:
        return TargetCheck(key, label, percent_text(figure), wanted, f"{points(value - high)} above the band", False)
    return TargetCheck(key, label, percent_text(figure), wanted, "met", True)


def teams_check(representation: Representation, target: int, months_label: str) -> TargetCheck:
    """Active teams with at least `target` returned audits a month (over a period: on average)."""
    teams = [team for team in representation.teams if team.is_active]
    months = representation.window_months
    reached = sum(1 for team in teams if team.returned_in_window >= target * months)
    per = "a month on average" if months > 1 else "a month"
    wanted = f"target {target} per team {per}"
    figure = f"{reached} of {len(teams)} team{'' if len(teams) == 1 else 's'} with {target} or more, {months_label}"
    if not teams:
        return TargetCheck("audits_per_team", "Audits per team:", "no active teams", wanted, "no figure yet", None)
    short = len(teams) - reached
    verdict = "met" if short == 0 else f"{short} team{'' if short == 1 else 's'} below"
    return TargetCheck("audits_per_team", "Audits per team:", figure, wanted, verdict, short == 0)


def moderator_changed_percent(moderation: dict[str, Any]) -> float | None:
    """The moderator effect the band is set for: audits whose grade the moderator changed (upgraded or
    downgraded) over the moderated audits, from the contract's `moderation` counts."""
    value = percent(moderation["upgraded"] + moderation["downgraded"], moderation["moderated"])
    return None if value is None else float(value)


def _shared_checks(
    targets: Targets,
    *,
    returned_percent: float | None,
    inadequate_percent: float | None,
    moderation: dict[str, Any],
    representation: Representation | None,
    months_label: str,
) -> list[TargetCheck]:
    checks = []
    if targets.returns_percent is not None:
        checks.append(at_least("returns", "Return rate", returned_percent, targets.returns_percent))
    if targets.inadequate_below_percent is not None:
        checks.append(below("inadequate", "Inadequate", inadequate_percent, targets.inadequate_below_percent))
    if targets.audits_per_team_month is not None and representation is not None:
        checks.append(teams_check(representation, targets.audits_per_team_month, months_label))
    if targets.has_moderator_band:
        low, high = targets.moderator_effect_low_percent, targets.moderator_effect_high_percent
        checks.append(
            within("moderator_effect", "Moderator effect", moderator_changed_percent(moderation), low, high)  # type: ignore[arg-type]
        )
    return checks


def monthly_checks(
    figures: dict[str, Any], representation: Representation | None, targets: Targets, months_label: str
) -> list[TargetCheck]:
    """The monthly report's figures for its month against the targets set, in reading order."""
    checks = _shared_checks(
        targets,
        returned_percent=figures["returns"][-1]["returned_percent"],
        inadequate_percent=figures["ratings_by_month"][-1]["percent"]["inadequate"],
        moderation=figures["moderation"],
        representation=representation,
        months_label=months_label,
    )
    if targets.actions_on_time_percent is not None:
        actions = figures["actions"]
        figure = actions["completed_on_time_percent"]
        checks.append(
            at_least(
                "actions_on_time",
                "Actions completed on time",
                None if figure is None else float(figure),
                targets.actions_on_time_percent,
            )
        )
    return checks


def period_checks(
    figures: dict[str, Any], representation: Representation | None, targets: Targets, months_label: str
) -> list[TargetCheck]:
    """The period report's figures for the whole period against the targets set (it counts no actions)."""
    return _shared_checks(
        targets,
        returned_percent=figures["returns"]["returned_percent"],
        inadequate_percent=figures["ratings"]["percent"]["inadequate"],
        moderation=figures["moderation"],
        representation=representation,
        months_label=months_label,
    )
