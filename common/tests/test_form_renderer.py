"""The project's form renderer (common/form_renderer.py) writes selects and inputs as Django's templates do."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from common.form_renderer import QuickSelectRenderer


class Everything(forms.Form):
    text = forms.CharField(help_text="Words", widget=forms.TextInput(attrs={"placeholder": 'a "quoted" <b>'}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "min": "2000-01-01"}, format="%Y-%m-%d"))
    month = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    count = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"readonly": True, "hidden": False}))
    email = forms.EmailField(required=False)
    choice = forms.ChoiceField(choices=[("", "Any"), ("a&b", "A & B"), ("c", "<C>")], required=False)
    grouped = forms.ChoiceField(choices=[("Group <1>", [("x", "X")]), ("y", "Y")], required=False)
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)


CASES = [
    {},
    {"text": 'Tom & "Jerry" <script>', "day": "2026-11-21", "month": "2026-11", "count": "3", "choice": "a&b"},
    {"day": "not a day", "email": "x@", "count": "-", "grouped": "x", "many": ["1", "2"], "hidden": "<h>"},
]


@pytest.mark.parametrize("data", CASES)
def test_every_widget_is_written_as_djangos_templates_write_it(data):
    ours = Everything(data or None, initial={"day": datetime.date(2026, 1, 2)}, renderer=QuickSelectRenderer())
    django = Everything(data or None, initial={"day": datetime.date(2026, 1, 2)}, renderer=DjangoTemplates())
    for name in Everything.base_fields:
        assert str(ours[name]) == str(django[name]), name
