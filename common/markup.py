"""Text people write (the report's narrative, a programme's findings) as safe HTML: Markdown for paragraphs,
headings, lists, quotations, bold and links, then an allow-list.

What people type is escaped first, so HTML they paste is shown as they typed it, never run (only a `>` that
starts a line is given back to Markdown, as a quotation); Markdown then makes the structure, and nh3 keeps
only a handful of tags and http(s)/mailto links. Such text sits under a page's own h2 and h3 headings,
so its `#` is an h4, `##` an h5 and anything deeper an h6. The same HTML goes to the page and the PDF
(WeasyPrint never follows a link, and no tag here loads anything).
"""

from __future__ import annotations

import re

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote", "h4", "h5", "h6"}
# The report's parts are h2 and its sections h3: a narrative's own headings come below them.
HEADING_OFFSET = 3
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,3}[.)]) +\S")
# Bullets pasted from Word or e-mail come as "•"; Markdown knows them as "-".
_PASTED_BULLET = re.compile(r"^( {0,3})[•·▪◦‣] *", re.MULTILINE)
# After escaping: the `>` marks (nested ones too) that open a quotation line.
_QUOTE_MARKS = re.compile(r"^(?: {0,3}&gt; ?)+", re.MULTILINE)
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def _lists_need_no_blank_line(text: str) -> str:
    """Python-Markdown starts a list only after a blank line; people write "Findings:" and the bullets under it."""
    lines: list[str] = []
    for line in text.splitlines():
        previous = lines[-1] if lines else ""
        if _LIST_ITEM.match(line) and previous.strip() and not _LIST_ITEM.match(previous) and previous[:1] != " ":
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


def markup_html(text: str) -> SafeString:
    source = _lists_need_no_blank_line(_PASTED_BULLET.sub(r"\1- ", text.replace("\r\n", "\n")))
    escaped = _QUOTE_MARKS.sub(lambda marks: marks.group(0).replace("&gt;", ">"), escape(source))
    html = markdown.markdown(escaped, extensions=["sane_lists", "nl2br"], output_format="html")
    html = _HEADING_TAG.sub(lambda tag: f"<{tag.group(1)}h{min(6, int(tag.group(2)) + HEADING_OFFSET)}>", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 with the allow-list above.
