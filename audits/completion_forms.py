"""The audit form: the audit's own fields, one small form per practice area, and an actions formset.

The three parts are bound and validated together by `AuditCompletionForm`. For a draft only
the shape of the input is checked (lengths, choices, owners from the staff list, action ids
of this audit); on submit the rules in `audits.completion.audit_submission_problems` are added
beside the fields they concern, so the rules are written once.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import formset_factory
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from audits.completion import AUDIT_FIELDS, ActionInput, AreaInput, AuditInput, Problem, audit_submission_problems
from audits.models import OVERALL_GRADE_CHOICES, AreaGrade, AreaGradeChoice, Audit, Feedback, Grade, IroViews
from audits.theme_forms import THEME_FIELDS, ActionThemeField, action_theme_choices, add_theme_fields, theme_values
from audits.theme_selectors import audit_theme_choices
from common.forms import SensibleDateField
from common.text_limits import ACTION_TEXT_MAX, LONG_TEXT_MAX, LongTextField
from people.models import User
from people.selectors import staff_choice_label, staff_choices

MAX_ACTIONS = 30

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool:
    return value == "yes"


def _yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class YesNoField(forms.TypedChoiceField):
    """A yes / no question that may be left unanswered in a draft (None)."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO, coerce=_yes_no, empty_value=None, required=False, widget=forms.RadioSelect, **kwargs
        )


def _text(label: str, *, rows: int = 4, max_length: int = LONG_TEXT_MAX, help_text: str = "") -> forms.CharField:
    return LongTextField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _radios(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)


class AuditMainForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # A random token per opened page: lets the service tell this tab's own saves from another tab's.
    editor = forms.CharField(widget=forms.HiddenInput, max_length=32, required=False)

    auditor_grade = _radios("Overall grade", Grade.choices)

    def __init__(self, *args, allows_not_graded: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if allows_not_graded:
            # Offered only where the audit's programme allows it (a minimum-standards audit, say).
            self.fields["auditor_grade"].choices = OVERALL_GRADE_CHOICES

    at_risk = forms.BooleanField(
        label="At risk of becoming inadequate without incisive management input",
        required=False,
        help_text="Only for an audit graded Requires Improvement.",
    )
    immediate_concern = forms.BooleanField(label="Immediate concern for this child's safety", required=False)
    immediate_concern_detail = _text(
        "The immediate concern, and what has been done about it",
        help_text="Required when you flag an immediate concern.",
    )
    sw_participated = YesNoField(label="Did the social worker take part?")
    manager_participated = YesNoField(label="Did the manager take part?")
    iro_views = _radios("Were the IRO or CP chair's views obtained?", IroViews.choices)
    child_spoken_to = YesNoField(label="Was the child spoken to?")
    child_feedback = _radios("The child's view of the service", Feedback.choices)
    child_feedback_comment = _text("What the child said", rows=3)
    parent_spoken_to = YesNoField(label="Was a parent or carer spoken to?")
    parent_feedback = _radios("The parent or carer's view of the service", Feedback.choices)
    parent_feedback_comment = _text("What the parent or carer said", rows=3)
    strengths = _text("Strengths", rows=5)
    improvements = _text("Areas for improvement", rows=5)


class AreaForm(forms.Form):
    grade = _radios("Grade", AreaGradeChoice.choices)
    evidence = _text("Evidence")
    impact = _text("Impact on the child's lived experience")

    def __init__(self, *args, area_grade: AreaGrade, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_grade = area_grade
        self.area = area_grade.area


class StaffSelect(forms.Select):
    """A select whose options are rendered once per page and shared by every action row.

    Django renders each <option> through a template; with a thousand staff and ten action
    rows that is ten thousand template renders (seconds). The rows differ only in which
    option is selected, so the HTML is built once and the selected one is marked by text.
    """

    def __init__(self, *, options_html: str = "", **kwargs):
        super().__init__(**kwargs)
        self.options_html = options_html

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = self.options_html
        if value not in (None, ""):
            marker = format_html('<option value="{}">', value)
            options = options.replace(marker, marker[:-1] + " selected>", 1)
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308 - built from escaped parts


class OwnerField(forms.ChoiceField):
    """A member of staff from a list loaded once for the whole page (one query, however many rows).

    Ids that are not on the list (another user's hidden id, an inactive account) are refused
    with the usual "Select a valid choice" field error.
    """

    def __init__(self, *, staff: dict[str, User] | None = None, **kwargs):
        self.staff = staff or {}
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.staff.get(value) if value else None


class ActionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    description = _text("What needs to happen", rows=2, max_length=ACTION_TEXT_MAX)
    owner = OwnerField(label="Owner", required=False)
    due_on = SensibleDateField(label="Due date", required=False)
    in_care_plan = forms.BooleanField(label="Goes into the child's care plan", required=False)
    theme = ActionThemeField()

    def __init__(
        self,
        *args,
        action_ids: frozenset[int],
        owner_choices: list,
        owner_options: str,
        staff: dict,
        theme_choices: list | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.action_ids = action_ids
        if theme_choices:
            self.fields["theme"].choices = theme_choices
        owner = self.fields["owner"]
        owner.choices = owner_choices
        owner.staff = staff
        # data-autocomplete: static/js/staff-autocomplete.js turns the long list into a type-ahead.
        owner.widget = StaffSelect(options_html=owner_options, attrs={"data-autocomplete": "staff"})

    def clean(self):
        cleaned = super().clean()
        action_id = cleaned.get("id")
        if action_id is not None and action_id not in self.action_ids:
            if cleaned.get("DELETE"):
                cleaned["id"] = None  # already gone; removing it again changes nothing
            else:
                self.add_error("id", "This action is not part of this audit. Remove the row and add the action again.")
        return cleaned

    def to_input(self, row: int) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(
            row=row,
            id=data.get("id"),
            description=data.get("description") or "",
            owner=data.get("owner"),
            due_on=data.get("due_on"),
            in_care_plan=bool(data.get("in_care_plan")),
            delete=bool(data.get("DELETE")),
            theme_id=data.get("theme"),
        )


class BaseActionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this action"

    def clean(self):
        seen: set[int] = set()
        for form in self.forms:
            action_id = form.cleaned_data.get("id") if hasattr(form, "cleaned_data") else None
            if action_id is None:
                continue
            if action_id in seen:
                form.add_error("id", "This action appears twice. Remove one of the rows.")
            seen.add(action_id)


ActionFormSet = formset_factory(
    ActionForm,
    formset=BaseActionFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_ACTIONS,
    validate_max=True,
    absolute_max=MAX_ACTIONS + 10,
)


def _staff_options() -> tuple[list, str, dict[str, User]]:
    """The owner choices (two queries: staff and their teams), their <option> HTML, and the staff by id."""
    staff = list(staff_choices())
    choices = [("", "Choose an owner")] + [(str(user.pk), staff_choice_label(user)) for user in staff]
    options = format_html_join("", '<option value="{}">{}</option>', choices)
    return choices, options, {str(user.pk): user for user in staff}


def _anchor(bound_field) -> str:
    """The id of the element a summary link should focus: the first radio of a group, else the field."""
    if isinstance(bound_field.field.widget, forms.RadioSelect):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@dataclass
class SummaryError:
    anchor: str
    message: str


class AuditCompletionForm:
    """The whole audit form. Bound with `data` for a save or submit; unbound to show the saved draft."""

    def __init__(
        self,
        *,
        audit: Audit,
        area_grades: list[AreaGrade],
        actions: list,
        data=None,
        submitting: bool = False,
        today: datetime.date | None = None,
    ):
        self.audit = audit
        self.submitting = submitting
        self.today = today
        self.action_errors: list[str] = []
        self.is_bound = data is not None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

        initial = {name: getattr(audit, name) for name in AUDIT_FIELDS}
        for name in ("sw_participated", "manager_participated", "child_spoken_to", "parent_spoken_to"):
            initial[name] = _yes_no_initial(initial[name])
        initial["version"] = audit.version
        initial["editor"] = secrets.token_hex(16)
        self.main = AuditMainForm(data, initial=initial, allows_not_graded=audit.programme.allows_not_graded)
        # The learning themes: two checklists beside the text, and a choice on each action row (one query).
        themes, ticked = audit_theme_choices(audit=audit)
        add_theme_fields(self.main, themes=themes, initial=ticked)
        self.theme_fields = [self.main[name] for name in THEME_FIELDS.values()]
        theme_choices = action_theme_choices(themes)

        self.areas = [
            AreaForm(
                data,
                prefix=f"area-{ag.area_id}",
                area_grade=ag,
                initial={"grade": ag.grade, "evidence": ag.evidence, "impact": ag.impact},
            )
            for ag in area_grades
        ]

        owner_choices, owner_options, staff = _staff_options()
        action_initial = [
            {
                "id": action.pk,
                "description": action.description,
                "owner": str(action.owner_id),
                "due_on": action.due_on,
                "in_care_plan": action.in_care_plan,
                "theme": action.theme_id,
            }
            for action in actions
        ]
        for pending in audit.pending_actions or []:
            action_initial.append(
                {
                    "description": pending.get("description", ""),
                    "owner": str(pending["owner_id"]) if pending.get("owner_id") else "",
                    "due_on": _parse_date(pending.get("due_on")),
                    "in_care_plan": bool(pending.get("in_care_plan")),
                    "theme": pending.get("theme_id"),
                }
            )
        self.actions = ActionFormSet(
            data,
            prefix="actions",
            initial=action_initial,
            form_kwargs={
                "action_ids": frozenset(action.pk for action in actions),
                "owner_choices": owner_choices,
                "owner_options": owner_options,
                "staff": staff,
                "theme_choices": theme_choices,
            },
        )

    def is_valid(self) -> bool:
        # Every part is validated (no short circuit), so all errors are shown at once.
        results = [self.main.is_valid(), *(form.is_valid() for form in self.areas), self.actions.is_valid()]
        valid = all(results)
        if self.submitting:
            problems = audit_submission_problems(audit=self.audit, data=self.to_input(), today=self.today)
            self.add_problems(problems)
            valid = valid and not problems
        return valid

    def to_input(self) -> AuditInput:
        main = getattr(self.main, "cleaned_data", {})
        fields = {name: main[name] for name in AUDIT_FIELDS if name in main}
        areas = []
        for form in self.areas:
            cleaned = getattr(form, "cleaned_data", {})
            areas.append(
                AreaInput(
                    area_id=form.area.pk,
                    grade=cleaned.get("grade") or "",
                    evidence=cleaned.get("evidence") or "",
                    impact=cleaned.get("impact") or "",
                )
            )
        actions = [form.to_input(row) for row, form in enumerate(self.actions.forms) if hasattr(form, "cleaned_data")]
        themes = theme_values(main) if main else None
        return AuditInput(fields=fields, areas=areas, actions=actions, themes=themes)

    @property
    def expected_version(self) -> int:
        return self.main.cleaned_data["version"]

    @property
    def editor_token(self) -> str:
        return self.main.cleaned_data.get("editor") or ""

    def add_problems(self, problems: list[Problem]) -> None:
        """Show the service's submission problems beside their fields (one message per field)."""
        areas = {f"area-{form.area.pk}": form for form in self.areas}
        for problem in problems:
            if problem.field == "actions":
                self.action_errors.append(problem.message)
                continue
            prefix, _, name = problem.field.rpartition("-")
            if problem.field.startswith("area-"):
                form = areas.get(prefix)
            elif problem.field.startswith("actions-"):
                row = int(prefix.split("-")[1])
                form = self.actions.forms[row] if row < len(self.actions.forms) else None
            else:
                form, name = self.main, problem.field
            if form is None or name not in form.fields:
                self.action_errors.append(problem.message)
            elif name not in form.errors:
                form.add_error(name, problem.message)

    def error_summary(self) -> list[SummaryError]:
        """Every error on the page, in page order, each linking to its field."""
        if not self.is_bound:
            return []
        summary: list[SummaryError] = []

        def collect(form, label: str = "") -> None:
            for name in form.fields:
                if name in form.errors:
                    anchor = _anchor(form[name])
                    for message in form.errors[name]:
                        summary.append(SummaryError(anchor, f"{label}{message}"))
            for message in form.non_field_errors():
                summary.append(SummaryError("audit-form", f"{label}{message}"))

        for form in self.areas:
            # Messages from the service already name the area; Django's own ("Ensure this value...") do not.
            for name in form.fields:
                for message in form.errors.get(name, []):
                    prefixed = message if message.startswith(form.area.name) else f"{form.area.name}: {message}"
                    summary.append(SummaryError(_anchor(form[name]), prefixed))
        collect(self.main)
        first_action = self.actions.forms[0]["description"].auto_id if self.actions.forms else "actions"
        for message in [*self.action_errors, *self.actions.non_form_errors()]:
            summary.append(SummaryError(first_action, message))
        for row, form in enumerate(self.actions.forms):
            for name in form.fields:
                for message in form.errors.get(name, []):
                    prefixed = message if message.startswith("Action ") else f"Action {row + 1}: {message}"
                    anchor = _anchor(form[name]) if name != "id" else form["description"].auto_id
                    summary.append(SummaryError(anchor, prefixed))
        return summary

    @property
    def has_errors(self) -> bool:
        return bool(self.error_summary())


def _parse_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class SendBackForm(forms.Form):
    reason = _text(
        "Why the audit does not meet the standard to be submitted",
        rows=5,
        max_length=5_000,
        help_text="The auditor sees this reason and revises the audit.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason, so the auditor knows what to change.")
        return reason
