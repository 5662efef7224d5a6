"""Rendering the report's numbers: a dash for "no data" (never 0 %), and a link to the list behind each number.

In the PDF (`pdf` in the template context) the same cells print without links.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reports.narrative import narrative_html
from reports.tables import Cell, Table

register = template.Library()

# A constant with no interpolated values: nothing from users reaches it.
NO_DATA = mark_safe('<span class="no-data" title="No data">–</span><span class="visually-hidden"> no data</span>')  # noqa: S308


# Before the authority's first audit month: no figure at all, rather than a zero.
NO_DATA_YET = mark_safe('<span class="no-data-yet">No data yet</span>')  # noqa: S308


def _percent(value: float | None) -> SafeString:
    if value is None:
        return NO_DATA
    return format_html("{}%", f"{value:.1f}")


def _text(cell: Cell) -> SafeString:
    if cell.kind == "blank":
        return SafeString("")
    if cell.kind == "no_data":
        return NO_DATA_YET
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
    nothing_behind = cell.kind in ("blank", "no_data") or (cell.kind == "percent" and cell.value is None)
    if context.get("pdf") or not cell.url or nothing_behind:
        return text
    return format_html('<a href="{}">{}</a>', cell.url, text)


@register.simple_tag
def percent_or_dash(value: float | None) -> SafeString:
    return _percent(value)


@register.filter
def narrative(text: str) -> SafeString:
    """A narrative section as sanitised Markdown (reports.narrative)."""
    return narrative_html(text or "")


@register.filter
def exemption_text(audit: Any) -> str:
    """Why an audit was exempted, said once: the reason, its detail, and who approved it.

    An exemption granted in the portal names its reason; `exemption_reason` repeats that reason (with the
    approver), so printing both read "Other: Other". An imported audit has only the tracker's text.
    """
    exemption = audit.exemption
    if exemption is None:
        return audit.exemption_reason
    text = exemption.get_reason_display()
    if exemption.detail:
        text += f": {exemption.detail}"
    if exemption.approved_by:
        text += f" (approved by {exemption.approved_by})"
    return text


@register.simple_tag(takes_context=True)
def report_table(context, table: Table) -> str:
    """One report table: on the page the HTML kept with the report (`tables_html`, reports.tables.tables_html),
    written afresh in the PDF (no links) or when none is kept."""
    pdf = bool(context.get("pdf"))
    if not pdf:
        kept = (context.get("tables_html") or {}).get(table.key)
        if kept is not None:
            return kept
    return render_to_string("reports/_table.html", {"table": table, "pdf": pdf})
