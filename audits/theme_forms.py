"""Forms for learning themes: the QA team's add / rename form, the checklists on audit forms, and the
optional theme of an action row (the audit form's actions and those added when finalising after moderation)."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from audits.models import Theme, ThemeKind
from audits.theme_services import NAME_MAX, STRAND_MAX

THEME_FIELDS = {ThemeKind.IMPROVEMENT.value: "themes_improvement", ThemeKind.STRENGTH.value: "themes_strength"}
THEME_LABELS = {
    ThemeKind.IMPROVEMENT.value: "Themes needing improvement",
    ThemeKind.STRENGTH.value: "Themes done well (strengths)",
}


class ThemeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX)
    strand = forms.CharField(
        label="Improvement-plan strand (optional)",
        max_length=STRAND_MAX,
        required=False,
        help_text="The strand of the council's improvement plan this theme belongs to.",
    )


def _theme_label(theme: Theme) -> str:
    return theme.name if theme.is_active else f"{theme.name} (retired)"


class ThemeChecklistField(forms.TypedMultipleChoiceField):
    """One group of checkboxes, one per theme offered; values are theme ids."""

    def __init__(self, *, themes: Sequence[Theme], **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
        super().__init__(
            choices=[(theme.pk, _theme_label(theme)) for theme in themes],
            coerce=int,
            required=False,
            error_messages={"invalid_choice": "A theme you ticked is no longer offered. Untick it and save again."},
            **kwargs,
        )


SHOWN_FIELD = "themes_shown"


def add_theme_fields(form: forms.Form, *, themes: Sequence[Theme], initial: dict[str, list[int]] | None) -> None:
    """Add the two checklists (areas for improvement, strengths) to `form`, ticked from `initial`.

    An unticked box is not posted at all, so "every box unticked" and "a page without the
    checklists" (a tab opened before they existed, a script) look alike. A hidden field rendered
    with the checklists tells them apart: without it the tags are left alone.
    """
    form.fields[SHOWN_FIELD] = forms.BooleanField(widget=forms.HiddenInput, required=False, initial=True)
    for kind, name in THEME_FIELDS.items():
        form.fields[name] = ThemeChecklistField(themes=themes, label=THEME_LABELS[kind])
        if initial is not None:
            form.initial[name] = list(initial.get(kind, []))


def theme_values(cleaned_data: dict) -> dict[str, list[int]] | None:
    """The ticked theme ids by kind, from a form built with `add_theme_fields`; None when the checklists
    were not on the page that posted (leave the tags as they are)."""
    if not cleaned_data.get(SHOWN_FIELD):
        return None
    return {kind: list(cleaned_data.get(name) or []) for kind, name in THEME_FIELDS.items()}


NO_THEME = ("", "No theme")


class ActionThemeField(forms.TypedChoiceField):
    """An action row's optional learning theme; the value is a theme id, or None for no theme.

    Its choices come from `action_theme_choices`, built once per page and shared by every row. An id
    that is not offered (a retired theme, another's guess) is refused at the field as "Select a valid choice".
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Learning theme (optional)")
        super().__init__(choices=[NO_THEME], coerce=int, empty_value=None, required=False, **kwargs)


def action_theme_choices(themes: Sequence[Theme]) -> list[tuple]:
    """The choices of `ActionThemeField`: no theme first, then each theme offered, by name."""
    return [NO_THEME, *((theme.pk, theme.name) for theme in themes)]
