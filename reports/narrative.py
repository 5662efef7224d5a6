"""The Head of Quality's narrative: as safe HTML (the sanitiser lives in common.markup, shared with programmes),
and the draft of the executive summary the report offers to start from.

The draft is words built from the month's figures, never saved by itself: the Head of Quality copies what
serves into the executive summary and writes the rest. It names the month's grades, the most frequent areas
for improvement with how they moved since the month before, the biggest movers, and the most frequent strength.
"""

from __future__ import annotations

from typing import Any

from audits.models import ThemeKind
from common.markup import markup_html as narrative_html
from common.periods import add_months, parse_month

__all__ = ["executive_summary_draft", "narrative_html"]

# How many of the most frequent areas for improvement the draft names.
DRAFT_TOP = 3


def _audits(n: int) -> str:
    return f"{n} audit{'' if n == 1 else 's'}"


def _since(now: int, before: int, previous_month: str) -> str:
    """ "up from 5", "down from 8", "the same as in September", "none in September"."""
    if now == before:
        return f"the same as in {previous_month}"
    if before == 0:
        return f"none in {previous_month}"
    return f"{'up' if now > before else 'down'} from {before}"


def _moved(item: dict[str, Any], before: dict[str, int], previous_month: str) -> str:
    return f"{item['audits']}, {_since(item['audits'], before.get(item['theme'], 0), previous_month)}"


def _grades_sentence(figures: dict[str, Any], month_name: str) -> str:
    block = figures["ratings_by_month"][-1]
    total = block["total"]
    if not total:
        return f"No audit of {month_name} has been returned yet."
    good = block["counts"]["outstanding"] + block["counts"]["good"]
    inadequate = block["counts"]["inadequate"]
    return (
        f"{total} audit{'' if total == 1 else 's'} of {month_name} {'was' if total == 1 else 'were'} returned: "
        f"{good} graded Good or Outstanding and {inadequate} Inadequate."
    )


def _movers(now: dict[str, int], before: dict[str, int], previous_month: str) -> list[str]:
    changes = {name: now.get(name, 0) - before.get(name, 0) for name in {*now, *before}}
    sentences = []
    rises = sorted((item for item in changes.items() if item[1] > 0), key=lambda i: (-i[1], i[0].lower()))
    falls = sorted((item for item in changes.items() if item[1] < 0), key=lambda i: (i[1], i[0].lower()))
    if rises:
        name, change = rises[0]
        sentences.append(
            f"The biggest rise was in {name}: {_audits(now.get(name, 0))}, {change} more than in {previous_month}."
        )
    if falls:
        name, change = falls[0]
        sentences.append(
            f"The biggest fall was in {name}: {_audits(now.get(name, 0))}, {-change} fewer than in {previous_month}."
        )
    return sentences


def executive_summary_draft(figures: dict[str, Any], previous_themes: dict[str, list[dict[str, Any]]]) -> str:
    """A draft executive summary for the month of `figures` (the report's figures), its themes compared with
    `previous_themes` (the contract's `themes` block for the month before, in the same scope)."""
    month = parse_month(figures["month"])
    month_name, previous_month = f"{month:%B %Y}", f"{add_months(month, -1):%B}"
    improvement = ThemeKind.IMPROVEMENT.value
    now = {item["theme"]: item["audits"] for item in figures["themes"][improvement]}
    before = {item["theme"]: item["audits"] for item in previous_themes[improvement]}
    paragraphs = [_grades_sentence(figures, month_name)]
    top = figures["themes"][improvement][:DRAFT_TOP]
    if top:
        first, rest = top[0], top[1:]
        name, n = first["theme"], first["audits"]
        sentence = (
            f"{name} was the most frequent area for improvement ({_audits(n)}, "
            f"{_since(n, before.get(name, 0), previous_month)})"
        )
        if rest:
            others = [f"{o['theme']} ({_moved(o, before, previous_month)})" for o in rest]
            sentence += ", followed by " + (" and ".join(others) if len(others) < 3 else ", ".join(others))
        paragraphs.append(sentence + ".")
        paragraphs.extend(_movers(now, before, previous_month))
    else:
        paragraphs.append(f"No returned audit of {month_name} was tagged with an area for improvement.")
    strengths = figures["themes"][ThemeKind.STRENGTH.value]
    if strengths:
        paragraphs.append(
            f"The most frequent strength was {strengths[0]['theme']} ({_audits(strengths[0]['audits'])})."
        )
    return "\n\n".join(paragraphs)
