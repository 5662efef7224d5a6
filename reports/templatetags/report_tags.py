"""Rendering the report's numbers: a dash for "no data" (never 0 %), and a link to the list behind each number.

In the PDF (`pdf` in the template context) the same cells print without links.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reports.tables import Cell

register = template.Library()

# A constant with no interpolated values: nothing from users reaches it.
NO_DATA = mark_safe('<span class="no-data" title="No data">–</span><span class="visually-hidden"> no data</span>')  # noqa: S308


def _percent(value: float | None) -> SafeString:
    if value is None:
        return NO_DATA
    return format_html("{}%", f"{value:.1f}")


def _text(cell: Cell) -> SafeString:
    if cell.kind == "blank":
        return SafeString("")
    if cell.kind == "percent":
        return _percent(cell.value)
    if cell.value is None:
        return NO_DATA
    if cell.kind == "count_percent":
        return format_html('{} <span class="share">({})</span>', cell.value, _percent(cell.percent))
    return format_html("{}", cell.value)


@register.simple_tag(takes_context=True)
def report_cell(context: dict[str, Any], cell: Cell) -> SafeString:
    text = _text(cell)
    # A dash has nothing behind it; a blank cell has no number at all.
    if context.get("pdf") or not cell.url or cell.kind == "blank" or (cell.kind == "percent" and cell.value is None):
        return text
    return format_html('<a href="{}">{}</a>', cell.url, text)


@register.simple_tag
def percent_or_dash(value: float | None) -> SafeString:
    return _percent(value)
