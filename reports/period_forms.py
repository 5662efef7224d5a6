"""The period report's form: a run of whole months and a scope (contracts.md section 3)."""

from __future__ import annotations

import datetime

from django import forms

from audits.models import Programme
from common.periods import month_from_key, sensible_month_message
from people.models import ServiceArea
from reports.period import ALL_PROGRAMMES, check_period

MONTH_ATTRS = {"placeholder": "YYYY-MM", "inputmode": "numeric", "autocomplete": "off"}


class PeriodMonthsForm(forms.Form):
    """From and to months (YYYY-MM, both included): the reports page's short form, which opens the period report."""

    from_month = forms.CharField(
        label="From month", help_text="For example 2026-04.", widget=forms.TextInput(MONTH_ATTRS)
    )
    to_month = forms.CharField(
        label="To month", help_text="Included. For example 2026-06.", widget=forms.TextInput(MONTH_ATTRS)
    )

    def _month(self, name: str) -> datetime.date:
        month = month_from_key(self.cleaned_data[name])
        if month is None:
            raise forms.ValidationError(sensible_month_message())
        return month

    def clean_from_month(self) -> datetime.date:
        return self._month("from_month")

    def clean_to_month(self) -> datetime.date:
        return self._month("to_month")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from_month"), cleaned.get("to_month")
        if first and last:
            try:
                check_period(first, last)
            except ValueError as error:
                self.add_error("to_month", str(error))
        return cleaned


class PeriodReportForm(PeriodMonthsForm):
    """The months, the programme (all by default) and the service area."""

    programme = forms.ChoiceField(label="Programme", required=False)
    service_area = forms.ChoiceField(label="Service area", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(ALL_PROGRAMMES, "All programmes")] + [
            (slug, name) for slug, name in Programme.objects.order_by("name").values_list("slug", "name")
        ]
        self.fields["service_area"].choices = [("", "All service areas")] + [
            (name, name) for name in ServiceArea.objects.order_by("name").values_list("name", flat=True)
        ]

    def clean_programme(self) -> str:
        return self.cleaned_data.get("programme") or ALL_PROGRAMMES
