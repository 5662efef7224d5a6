"""Forms for allocation and exemptions. They parse input only; the rules live in allocation/services.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from allocation.models import Exemption
from allocation.services import exemption_problems, exemption_window
from caseload.models import Child
from common.forms import MonthField, SensibleMonthField
from people.models import User


class ReturnsMonthForm(forms.Form):
    """The month of the returns page (GET)."""

    month = SensibleMonthField(label="Month", required=False, help_text="For example 2026-11.")


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
    # The allocation's random seed, called a proposal number on the page: only someone reproducing an earlier
    # proposal needs it, so the page keeps it folded away.
    seed = forms.IntegerField(
        label="Proposal number",
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        help_text="The number shown with an earlier proposal. With the same children, auditors and exemptions, "
        "it gives that proposal again. Leave blank for a new proposal.",
        error_messages={"invalid": "Enter the proposal number as a whole number, for example 482913."},
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
    """Grant an exemption. The fields of each kind are grouped (`kind_fields`): without JavaScript every group
    shows, each under a heading naming its kind; the script allocation/exemption_form.js shows only the chosen
    kind's."""

    anchor = "exemption-errors"
    kind_fields = {
        Exemption.Kind.SINGLE_MONTH: ("month",),
        Exemption.Kind.STANDING: ("starts_on", "ends_on"),
    }
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
    approved_by = forms.CharField(
        label="Approving director",
        max_length=120,
        required=False,
        help_text="Required for a single-month exemption.",
    )
    month = MonthField(label="Month", required=False, help_text="For example 2026-12.")
    starts_on = forms.DateField(label="Starts on", required=False, widget=DateInput, help_text="Leave blank for today.")
    ends_on = forms.DateField(
        label="Ends on", required=False, widget=DateInput, help_text="Leave blank for “until withdrawn”."
    )
    # No maxlength on the box: a browser would cut a long paste short without a word; the message says what to do.
    detail = forms.CharField(label="Detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, last = exemption_window(timezone.localdate())
        # The browser's pickers offer only the months and days the service accepts.
        self.fields["month"].widget.attrs.update(min=f"{first:%Y-%m}", max=f"{last:%Y-%m}")
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget.attrs.update(min=first.isoformat(), max=last.isoformat())

    def common_fields(self) -> list[forms.BoundField]:
        grouped = {name for names in self.kind_fields.values() for name in names}
        return [self[name] for name in self.fields if name not in grouped and name != "detail"]

    kind_headings = {
        Exemption.Kind.SINGLE_MONTH: "For a single-month exemption",
        Exemption.Kind.STANDING: "For a standing exemption",
    }

    def kind_groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(kind, heading, fields) for each kind's own fields."""
        return [
            (kind, self.kind_headings[kind], [self[name] for name in names]) for kind, names in self.kind_fields.items()
        ]

    def clean(self):
        """Show every missing field at once, not only the ones the browser sent wrongly."""
        data = super().clean()
        kind = data.get("kind")
        if kind:
            # The other kind's fields are not used: a value left in them (hidden by the script) is no error.
            for other, names in self.kind_fields.items():
                if other != kind:
                    for name in names:
                        self.errors.pop(name, None)
                        data[name] = None
            problems = exemption_problems(
                kind=kind,
                reason=data.get("reason", ""),
                month=data.get("month"),
                approved_by=data.get("approved_by", ""),
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                detail=(data.get("detail") or "").strip(),
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
