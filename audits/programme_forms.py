"""The QA team's form for an audit programme."""

from __future__ import annotations

from django import forms

from audits.models import Programme
from common.text_limits import LongTextField
from people.models import User


class ProgrammeForm(forms.ModelForm):
    findings_summary = LongTextField(
        label="Findings summary",
        required=False,
        help_text="What the programme found, for the report and senior leaders. Markdown: lists, bold and links.",
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "kind",
            "starts_on",
            "ends_on",
            "owner",
            "moderation_rule",
            "sample_percent",
            "allows_not_graded",
            "findings_summary",
        ]
        labels = {"starts_on": "Starts on", "ends_on": "Ends on", "sample_percent": "Sample percentage"}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_quality=True, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["owner"].help_text = "A member of the QA team."
        monthly = self.instance.pk is not None and self.instance.is_monthly
        kinds = [(key, label) for key, label in Programme.Kind.choices if (key == Programme.Kind.MONTHLY) == monthly]
        self.fields["kind"].choices = kinds
        if monthly:
            # The monthly audit keeps its name and kind: reports and the tracker import name it so.
            for name in ("name", "kind"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The programme cannot end before it starts.")
        return cleaned
