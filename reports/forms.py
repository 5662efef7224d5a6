"""Forms for the report pages (crispy-forms, Bootstrap 5)."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from reports.models import ReportNarrative
from reports.periods import month_end, parse_month

MONTH_HELP = "For example 2026-10."


class ReportPeriodForm(forms.Form):
    """Which month's report, and the date its figures are counted to (blank: the month's last day)."""

    month = forms.CharField(label="Report month", help_text=MONTH_HELP)
    as_of = forms.DateField(
        label="Figures as of",
        required=False,
        help_text=(
            "Blank: the last day of the month. Actions, Children of Concern and finalisation are counted to this date."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_month(self) -> datetime.date:
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        month, as_of = cleaned.get("month"), cleaned.get("as_of")
        if month and as_of and as_of < month:
            self.add_error("as_of", "The figures cannot be counted to a date before the report month starts.")
        if month and not as_of:
            cleaned["as_of"] = month_end(month)
        return cleaned


class AsOfForm(forms.Form):
    """The as-of date on a month's report page (the month comes from the address)."""

    as_of = forms.DateField(
        label="Figures as of",
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="Blank: the last day of the month.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, month: datetime.date, **kwargs):
        self.month = month
        super().__init__(*args, **kwargs)

    def clean_as_of(self) -> datetime.date:
        as_of = self.cleaned_data.get("as_of") or month_end(self.month)
        if as_of < self.month:
            raise forms.ValidationError("The figures cannot be counted to a date before the report month starts.")
        return as_of


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = ReportNarrative
        fields = ["executive_summary", "methodology", "improvement_responses", "conclusions"]
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in fields}
        labels = {
            "executive_summary": "Executive summary",
            "methodology": "Methodology",
            "improvement_responses": "Improvement responses",
            "conclusions": "Conclusions and recommendations",
        }
        help_texts = {
            "executive_summary": "How are we doing? The headline findings for senior leaders and councillors.",
            "methodology": "How do we know this? Accuracy, representation and participation of this month's audits.",
            "improvement_responses": "What are we doing about it? The improvement work under way.",
            "conclusions": "What the findings mean and what you recommend. Do not name children.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save", "Save draft"))


class GenerateForm(forms.Form):
    """The "Generate PDF" button: the revision the page offered makes a double click harmless."""

    as_of = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
