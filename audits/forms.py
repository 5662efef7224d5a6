"""Forms for allocation and exemptions. They parse input only; the rules live in audits/services.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from audits.models import Child, Exemption
from audits.services import exemption_problems
from people.models import User


class MonthInput(forms.DateInput):
    """A month picker (`<input type="month">`, value YYYY-MM); browsers without one show a text box."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "YYYY-MM", **(attrs or {})}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month as YYYY-MM, cleaned to the first day of that month."""

    widget = MonthInput
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": "Enter a month as year and month, for example 2026-12."}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def auditor_choices():
    return User.objects.filter(is_active=True, is_auditor=True).order_by("last_name", "first_name", "username")


class AuditorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.username})"


class ChildRefField(forms.CharField):
    """A child's case reference, cleaned to the Child."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        child = Child.objects.select_related("team").filter(case_ref__iexact=value.strip()).first()
        if child is None:
            raise forms.ValidationError(f"There is no child with case reference {value.strip()}.")
        return child


def child_ref_field() -> ChildRefField:
    return ChildRefField(
        label="Child's case reference",
        max_length=40,
        help_text="For example C000123.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ProposeForm(forms.Form):
    seed = forms.IntegerField(
        label="Seed (optional)",
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        help_text="Leave blank for a fresh proposal; enter an earlier seed to reproduce that proposal.",
    )


class ReassignForm(forms.Form):
    anchor = "reassign-errors"  # Where the error summary links for problems with no field of their own.
    auditor = AuditorChoiceField(label="New auditor", queryset=auditor_choices(), empty_label="Choose an auditor")


class SwapChildForm(forms.Form):
    anchor = "swap-errors"
    child = child_ref_field()


class ProposalAddForm(ReassignForm):
    anchor = "add-errors"
    child = child_ref_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].label = "Auditor"


class ExemptionForm(forms.Form):
    anchor = "exemption-errors"
    user = AuditorChoiceField(
        label="Person",
        queryset=auditor_choices(),
        empty_label="Choose a person",
        error_messages={"required": "Choose the person to exempt."},
    )
    kind = forms.ChoiceField(
        label="Kind of exemption",
        choices=Exemption.Kind.choices,
        widget=forms.RadioSelect,
        initial=Exemption.Kind.SINGLE_MONTH,
        error_messages={"required": "Choose standing or single-month."},
    )
    # Not required here: exemption_problems() says what each kind needs, in one place.
    reason = forms.ChoiceField(
        label="Reason", required=False, choices=[("", "Choose a reason"), *Exemption.Reason.choices]
    )
    month = MonthField(label="Month (single-month exemptions)", required=False, help_text="For example 2026-12.")
    approved_by = forms.CharField(
        label="Approving director",
        max_length=120,
        required=False,
        help_text="Required for a single-month exemption.",
    )
    starts_on = forms.DateField(
        label="Starts on (standing exemptions)", required=False, widget=DateInput, help_text="Blank: today."
    )
    ends_on = forms.DateField(
        label="Ends on (standing exemptions)", required=False, widget=DateInput, help_text="Blank: until withdrawn."
    )
    detail = forms.CharField(label="Detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        """Show every missing field at once, not only the ones the browser sent wrongly."""
        data = super().clean()
        if "kind" in data:
            problems = exemption_problems(
                kind=data["kind"],
                reason=data.get("reason", ""),
                month=data.get("month"),
                approved_by=data.get("approved_by", ""),
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
            )
            for field, message in problems.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: at the field it names when the form has that field, else at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def error_summary(*forms_: forms.Form) -> list[tuple[str, str]]:
    """Every error on the page as (anchor id, message), for the summary at the top that links to each field."""
    links: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for field, messages in form.errors.items():
            if field in form.fields:
                widget = form.fields[field].widget
                anchor = form[field].auto_id
                if isinstance(widget, forms.RadioSelect):
                    anchor += "_0"  # The first radio button: the group itself has no id.
            else:
                anchor = getattr(form, "anchor", "main")
            links += [(anchor, str(message)) for message in messages]
    return links
