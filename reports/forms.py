"""Forms for the report pages (crispy-forms, Bootstrap 5)."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.http import urlencode

from audits.models import MONTHLY_SLUG, Programme
from audits.selectors import ReportScope, report_scope_from
from common.periods import month_end, parse_month
from common.text_limits import LongTextField
from people.models import ServiceArea
from reports.models import ReportNarrative, ReportTargets
from reports.periods import check_as_of, check_report_month

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
            month = parse_month(self.cleaned_data["month"])
            check_report_month(month, timezone.localdate())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return month

    def clean(self):
        cleaned = super().clean()
        month, as_of = cleaned.get("month"), cleaned.get("as_of")
        if month and as_of:
            try:
                check_as_of(month, as_of, timezone.localdate())
            except ValueError as error:
                self.add_error("as_of", str(error))
        if month and not as_of:
            cleaned["as_of"] = month_end(month)
        return cleaned


class AsOfForm(forms.Form):
    """The as-of date and the scope (programme, service area) on a month's report page (the month comes from the
    address). The same query parameters choose the scope of the JSON."""

    programme = forms.ChoiceField(
        label="Programme",
        required=False,
        help_text="Blank: the monthly audit.",
    )
    service_area = forms.ModelChoiceField(
        label="Service area",
        queryset=ServiceArea.objects.order_by("name"),
        required=False,
        empty_label="Every service area",
    )

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
        self.fields["programme"].choices = [
            ("", "The monthly audit"),
            ("all", "All programmes"),
            *Programme.objects.exclude(kind=Programme.Kind.MONTHLY).order_by("name").values_list("slug", "name"),
        ]

    @property
    def scope(self) -> ReportScope:
        """The chosen scope; the monthly audit over every service area unless the form says otherwise."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return report_scope_from(
            programme=data.get("programme") or None,
            service_area=data["service_area"].name if data.get("service_area") else None,
            default=MONTHLY_SLUG,
        )

    @property
    def scope_query(self) -> str:
        """The scope as query parameters for links (empty for the default scope)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        params = {"programme": data.get("programme") or "", "service_area": getattr(data.get("service_area"), "pk", "")}
        return urlencode({key: value for key, value in params.items() if value})

    def clean_as_of(self) -> datetime.date:
        as_of = self.cleaned_data.get("as_of") or month_end(self.month)
        try:
            check_as_of(self.month, as_of, timezone.localdate())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return as_of


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = ReportNarrative
        fields = ["executive_summary", "methodology", "improvement_responses", "conclusions"]
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in fields}
        # The same length message as every other free-text answer (common.text_limits), and no maxlength.
        field_classes = dict.fromkeys(fields, LongTextField)
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
        for name, field in self.fields.items():
            # Each box is described by its own help and by the page's one formatting hint.
            field.widget.attrs["aria-describedby"] = f"id_{name}_helptext narrative-format-hint"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save", "Save draft"))


class GenerateForm(forms.Form):
    """The "Generate PDF" button. The page carries a one-time key, so a double click gets the same PDF;
    the revision number is the server's to give."""

    as_of = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
    request_key = forms.UUIDField(widget=forms.HiddenInput)
    # The scope the page shows, so the PDF reports what the person was looking at: a programme's slug or
    # `all` (blank: the monthly audit), and a service area's name (blank: every service area).
    programme = forms.CharField(widget=forms.HiddenInput, required=False)
    service_area = forms.CharField(widget=forms.HiddenInput, required=False)

    @property
    def scope(self) -> ReportScope:
        """The scope to report on; raises ValueError for a programme or service area that no longer exists."""
        return report_scope_from(
            programme=self.cleaned_data.get("programme") or None,
            service_area=self.cleaned_data.get("service_area") or None,
            default=MONTHLY_SLUG,
        )


class ReportTargetsForm(forms.ModelForm):
    """The QA team's targets; each may be left blank (no target shown). The model's validators keep
    percentages within 0 to 100; the service checks the moderator effect band's two ends together."""

    class Meta:
        model = ReportTargets
        fields = (
            "returns_percent",
            "inadequate_below_percent",
            "audits_per_team_month",
            "moderator_effect_low_percent",
            "moderator_effect_high_percent",
            "actions_on_time_percent",
        )
        error_messages = {
            name: {
                "max_value": "Enter a percentage from 0 to 100.",
                "min_value": "Enter a percentage from 0 to 100.",
                "max_digits": "Enter a percentage from 0 to 100.",
                "max_whole_digits": "Enter a percentage from 0 to 100.",
                "max_decimal_places": "Enter a percentage with at most one decimal place, for example 12.5.",
                "invalid": "Enter a number, for example 90.",
            }
            for name in (
                "returns_percent",
                "inadequate_below_percent",
                "moderator_effect_low_percent",
                "moderator_effect_high_percent",
                "actions_on_time_percent",
            )
        } | {
            "audits_per_team_month": {
                "min_value": "Enter a whole number from 1 to 99, or leave it blank.",
                "max_value": "Enter a whole number from 1 to 99, or leave it blank.",
                "invalid": "Enter a whole number, for example 2.",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "inputmode", "decimal" if isinstance(field, forms.DecimalField) else "numeric"
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save", "Save targets"))
