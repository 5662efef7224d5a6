"""The project's form renderer: Django's, except that a <select> and an <input> are written in one pass in Python.

Django writes each <option> through two template includes (the option, its attributes): about a quarter of a
millisecond an option, so a list page's filter of 150 staff and 50 teams cost 50 ms, more than the rest of the
page. The markup is the same as Django's templates write (django/forms/widgets/select.html, select_option.html,
attrs.html), so pages, tests and the accessible autocomplete see no difference. A select whose options use
another template (a widget of our own) is left to the templates. Text, date and number inputs (three template
includes each: the widget, input.html, attrs.html) are written the same way, the same markup as input.html; a list's
filter form has a dozen of them. A test renders each both ways (common/tests/test_form_renderer.py).
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Widgets whose template is nothing but `{% include "django/forms/widgets/input.html" %}` (and input.html itself).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "date", "datetime", "time", "number", "email", "url", "search", "tel")
)


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: `name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict[str, Any]) -> str:
    value, label = conditional_escape(option["value"]), conditional_escape(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


def render_select(widget: dict[str, Any]) -> SafeString:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        parts.extend(f"\n  {_option(option)}\n" for option in group_choices)  # the include keeps its newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def render_input(widget: dict[str, Any]) -> SafeString:
    """input.html: type, name, the value when there is one, then the attributes."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    name = conditional_escape(widget["name"])
    kind = conditional_escape(widget["type"])
    return mark_safe(f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>')  # noqa: S308


def _plain_options(widget: dict[str, Any]) -> bool:
    return all(option["template_name"] == OPTION_TEMPLATE for _, group, _ in widget["optgroups"] for option in group)


class QuickSelectRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name == SELECT_TEMPLATE and isinstance(widget, dict) and _plain_options(widget):
            return render_select(widget)
        if template_name in INPUT_TEMPLATES and isinstance(widget, dict):
            return render_input(widget)
        return super().render(template_name, context, request)
