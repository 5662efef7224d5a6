"""Forms for a programme's cohort and sample. They parse input only; the rules live in allocation/cohort_services.py."""

from __future__ import annotations

from django import forms

from allocation.cohort_selectors import CohortRules, sample_people
from allocation.forms import AuditorChoiceField, DateInput, child_ref_field
from audits.models import Programme
from caseload.models import Flag, LegalStatus
from people.models import ServiceArea, Team


class CohortRulesForm(forms.Form):
    """The cohort's rules. Bound to GET data it previews the size; bound to POST data it saves them."""

    anchor = "rules-errors"
    legal_statuses = forms.MultipleChoiceField(
        label="Legal status", required=False, choices=LegalStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    service_areas = forms.ModelMultipleChoiceField(
        label="Service area", required=False, queryset=ServiceArea.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    teams = forms.ModelMultipleChoiceField(
        label="Team",
        required=False,
        queryset=Team.objects.filter(is_active=True),
        help_text="Hold Ctrl (or ⌘) to choose more than one.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    flags = forms.ModelMultipleChoiceField(
        label="Caseload flags",
        required=False,
        queryset=Flag.objects.all(),
        help_text="Children with every flag chosen, as the caseload extract gives them (e.g. no_plan).",
        widget=forms.CheckboxSelectMultiple,
    )
    opened_after = forms.DateField(label="Case opened on or after", required=False, widget=DateInput)
    opened_before = forms.DateField(label="Case opened before", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        after, before = data.get("opened_after"), data.get("opened_before")
        if after and before and before <= after:
            self.add_error("opened_before", "“Opened before” must be later than “opened on or after”.")
        return data

    def rules(self) -> CohortRules:
        data = self.cleaned_data
        return CohortRules(
            legal_statuses=tuple(sorted(data.get("legal_statuses") or ())),
            team_ids=tuple(sorted(t.pk for t in data.get("teams") or ())),
            service_area_ids=tuple(sorted(s.pk for s in data.get("service_areas") or ())),
            flag_ids=tuple(sorted(f.pk for f in data.get("flags") or ())),
            opened_after=data.get("opened_after"),
            opened_before=data.get("opened_before"),
        )

    @staticmethod
    def initial_from(rules: CohortRules) -> dict:
        return {
            "legal_statuses": list(rules.legal_statuses),
            "teams": list(rules.team_ids),
            "service_areas": list(rules.service_area_ids),
            "flags": list(rules.flag_ids),
            "opened_after": rules.opened_after,
            "opened_before": rules.opened_before,
        }


class SampleForm(forms.Form):
    anchor = "sample-errors"
    count = forms.IntegerField(
        label="Number of children",
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={"invalid": "Enter the number of children as a whole number, for example 100."},
    )
    percent = forms.DecimalField(
        label="Or a percentage of the cohort",
        required=False,
        min_value=0.1,
        max_value=100,
        decimal_places=1,
        error_messages={"invalid": "Enter the percentage as a number, for example 27."},
    )
    seed = forms.IntegerField(
        label="Sample number",
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        help_text="The number shown with an earlier sample. With the same caseload and rules it draws the same "
        "children again. Leave blank for a new sample.",
        error_messages={"invalid": "Enter the sample number as a whole number, for example 482913."},
    )

    def clean(self):
        data = super().clean()
        if "count" in self.errors or "percent" in self.errors:
            return data
        if (data.get("count") is None) == (data.get("percent") is None):
            self.add_error("count", "Enter either a number of children or a percentage of the cohort.")
        return data


def person_field(programme: Programme, label: str) -> AuditorChoiceField:
    return AuditorChoiceField(
        label=label,
        queryset=sample_people(programme),
        empty_label="Choose a person" if programme.kind == Programme.Kind.PRACTICE_WEEK else "Choose an auditor",
    )


class LineReassignForm(forms.Form):
    anchor = "reassign-errors"

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"] = person_field(programme, "New auditor")


class LineSwapForm(forms.Form):
    anchor = "swap-errors"
    child = child_ref_field()


class LineAddForm(forms.Form):
    anchor = "add-errors"

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"] = person_field(programme, "Auditor")
        self.fields["child"] = child_ref_field()
