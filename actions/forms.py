"""Forms for the action and Child of Concern pages: they parse input; the rules live in actions.services.

Each form has a prefix because an action's page can show several at once (complete,
move the due date, reopen) and every field needs its own id for its label and the
error summary's link.
"""

from django import forms

from actions.models import ConcernReview
from common.forms import SensibleDateField
from common.text_limits import LongTextField


class ActionCompleteForm(forms.Form):
    prefix = "complete"
    on = SensibleDateField(label="Date completed", error_messages={"required": "Enter the date it was completed."})
    note = LongTextField(
        label="What changed for the child",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what changed for the child."},
    )


class ActionMoveDueForm(forms.Form):
    prefix = "move"
    new_due_on = SensibleDateField(label="New due date", error_messages={"required": "Enter the new due date."})
    reason = LongTextField(
        label="Reason for moving the due date",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for moving the due date."},
    )


class ActionReopenForm(forms.Form):
    prefix = "reopen"
    reason = LongTextField(
        label="Reason for reopening",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for reopening."},
    )


class ConcernResponseForm(forms.Form):
    prefix = "respond"
    safety = LongTextField(
        label="(a) What is being done to make sure the child is safe",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what is being done to make sure the child is safe."},
    )
    service_offer = LongTextField(
        label="(b) Assurance that the service offer is right for the child's needs",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give assurance that the service offer is right for the child's needs."},
    )
    next_steps = LongTextField(
        label="(c) The next steps to a good service, with dates",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Set out the next steps to a good service, with dates."},
    )


class ConcernDraftForm(ConcernResponseForm):
    """The same three parts, saved without sending: any of them may still be blank."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ConcernReviewForm(forms.Form):
    prefix = "review"
    decision = forms.ChoiceField(
        label="Your decision",
        choices=ConcernReview.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to resolve it or return it for more."},
    )
    note = LongTextField(
        label="Note to the team",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when returning it for more, or when closing it without a response.",
    )
