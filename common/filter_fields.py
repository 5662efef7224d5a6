"""A list's filter field written in Python: the markup crispy-forms' Bootstrap 5 pack writes, without its templates.

`{{ field|as_crispy_field }}` renders bootstrap5/field.html and its includes for each field: a filter form of a
dozen fields (the tracker's, the report's drill-down list's two dozen) cost 7 to 10 ms a page, as much as the
list itself. `filter_field_html(field)` writes the same elements and attributes (only the whitespace between them
differs) for what a list's filters use: selects, text, date and month inputs, each with its label, help text and
errors. Any other widget (a checkbox, a set of checkboxes or radios, a file input) is left to crispy-forms, so its
markup stays crispy's own. A test renders every filter form's fields both ways and compares them
(common/tests/test_filter_fields.py).
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

# The widgets written here; crispy-forms writes the rest (its own branches for checkboxes, radios and files).
PLAIN_WIDGETS = (forms.Select, forms.TextInput, forms.DateInput, forms.NumberInput, forms.EmailInput)
SPECIAL_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput)


END_DIV = mark_safe("</div>")  # noqa: S308 - fixed markup


def is_plain(field: BoundField) -> bool:
    widget = field.field.widget
    return isinstance(widget, PLAIN_WIDGETS) and not isinstance(widget, SPECIAL_WIDGETS) and not field.is_hidden


def _add_classes(widget: forms.Widget, extra: str) -> None:
    """What crispy's `{% crispy_field field 'class' extra %}` does to the widget before rendering it."""
    class_name = widget.__class__.__name__.lower()
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in extra.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class


def filter_field_html(field: BoundField) -> SafeString:
    """bootstrap5/field.html for one plain field (see `is_plain`), labels shown, errors shown, no helper."""
    widget = field.field.widget
    errors = field.errors
    required = field.field.required
    css_classes = field.css_classes()
    parts = [format_html('<div id="div_{}" class="mb-3{}">', field.auto_id, f" {css_classes}" if css_classes else "")]
    if field.label:
        target = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
        parts.append(
            format_html(
                '<label{} class="form-label{}">{}{}</label>',
                target,
                " requiredField" if required else "",
                field.label,
                mark_safe('<span class="asteriskField">*</span>') if required else "",  # noqa: S308 - fixed markup
            )
        )
    extra = "form-select" if isinstance(widget, forms.Select) else "form-control"
    _add_classes(widget, f"{extra} is-invalid" if errors else extra)
    parts.append(mark_safe(str(field)))  # noqa: S308 - the widget's own rendering, escaped by Django
    if errors:
        parts.append(format_html('<div id="{}_error" class="invalid-feedback">', errors.field_id))
        parts.extend(
            format_html('<p id="error_{}_{}"><strong>{}</strong></p>', n, field.auto_id, error)
            for n, error in enumerate(errors, start=1)
        )
        parts.append(END_DIV)
    if field.help_text:
        help_id = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        # crispy marks the help text safe (`|safe`): it is written by the project, never by a user.
        parts.append(mark_safe(f'<div {help_id}class="form-text">{field.help_text}</div>'))  # noqa: S308
    parts.append(END_DIV)
    return mark_safe("".join(conditional_escape(part) for part in parts))  # noqa: S308 - every part escaped
