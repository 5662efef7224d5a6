"""Forms for moderation pages. They parse input; the rules live in `moderation.services`."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from audits.models import OVERALL_GRADE_CHOICES, AreaGradeChoice, Audit, Grade
from audits.theme_forms import THEME_FIELDS, ActionThemeField, action_theme_choices, add_theme_fields, theme_values
from audits.theme_selectors import audit_theme_choices, themes_offered
from common.forms import KeptChoicesField, SensibleDateField, SensibleMonthField
from common.text_limits import ACTION_TEXT_MAX, LongTextField
from moderation.models import Moderation
from moderation.services import NewAction
from people.models import User
from people.selectors import staff_choice_label, staff_choices

GRADE_CHOICES = [(g.value, g.label) for g in Grade]
AREA_CHOICES = [("", "Not graded"), *((c.value, c.label) for c in AreaGradeChoice)]


class MonthForm(forms.Form):
    month = SensibleMonthField(
        label="Month", help_text="Without a month picker, type it as year-month, for example 2026-10."
    )

    @classmethod
    def month_from(cls, data, default: datetime.date) -> tuple[MonthForm, datetime.date]:
        """Read `month` from GET data, falling back to `default` (the form then shows the error)."""
        form = cls(data if data.get("month") else {"month": default.strftime("%Y-%m")})
        if form.is_valid():
            return form, form.cleaned_data["month"]
        return form, default


class ModerationForm(forms.Form):
    grade = forms.ChoiceField(
        label="Your overall grade",
        choices=GRADE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your overall grade."},
    )
    rationale = LongTextField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when your grade differs from the auditor's: the evidence behind your judgement.",
    )
    feedback = LongTextField(
        label="Feedback to the auditor",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write your feedback to the auditor."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, audit: Audit, **kwargs):
        super().__init__(*args, **kwargs)
        if audit.programme.allows_not_graded:
            # As the auditor may (a minimum-standards audit, say): the moderator's judgement can be "not graded".
            self.fields["grade"].choices = OVERALL_GRADE_CHOICES
        self.area_rows = []
        auditor_grades = {row.area_id: row for row in audit.area_grades.all()}
        for area in audit.template.areas.all():
            name = f"area_{area.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{area.name}: your grade", choices=AREA_CHOICES, required=False
            )
            self.area_rows.append((area, auditor_grades.get(area.pk), name))
        # The auditor's learning-theme tags, ticked as they are, for the moderator to confirm or change.
        themes, ticked = audit_theme_choices(audit=audit)
        add_theme_fields(self, themes=themes, initial=ticked)
        self.theme_fields = [self[name] for name in THEME_FIELDS.values()]

    def themes(self) -> dict[str, list[int]] | None:
        return theme_values(self.cleaned_data)

    def area_grades(self) -> dict[int, str]:
        return {
            area.pk: self.cleaned_data[name] for area, _auditor, name in self.area_rows if self.cleaned_data.get(name)
        }

    def bound_area_rows(self):
        return [(area, auditor, self[name]) for area, auditor, name in self.area_rows]


class FinaliseForm(forms.Form):
    acknowledge = forms.BooleanField(
        label="I have read the moderator's feedback",
        error_messages={"required": "Confirm that you have read the moderator's feedback."},
    )
    strengths = LongTextField(label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    improvements = LongTextField(
        label="Areas for improvement", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, audit: Audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strengths"].initial = audit.strengths
        self.fields["improvements"].initial = audit.improvements
        self.area_rows = []
        for row in audit.area_grades.all():
            evidence, impact = f"evidence_{row.pk}", f"impact_{row.pk}"
            self.fields[evidence] = LongTextField(
                label=f"{row.area.name}: evidence",
                required=False,
                initial=row.evidence,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[impact] = LongTextField(
                label=f"{row.area.name}: impact on the child's lived experience",
                required=False,
                initial=row.impact,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.area_rows.append((row, evidence, impact))

    def area_texts(self) -> dict[int, tuple[str, str]]:
        return {row.pk: (self.cleaned_data[e], self.cleaned_data[i]) for row, e, i in self.area_rows}

    def bound_area_rows(self):
        return [(row, self[e], self[i]) for row, e, i in self.area_rows]


class NewActionForm(forms.Form):
    """One optional new action; a row left blank is ignored, a row begun must be complete."""

    description = LongTextField(
        label="Action", required=False, max_length=ACTION_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose an owner",
        # static/js/staff-autocomplete.js turns the long list into a type-ahead.
        widget=forms.Select(attrs={"data-autocomplete": "staff"}),
    )
    due_on = SensibleDateField(label="Due date", required=False)
    in_care_plan = forms.BooleanField(label="Goes into the child's care plan", required=False)
    theme = ActionThemeField()

    def __init__(self, *args, theme_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices()
        self.fields["owner"].label_from_instance = staff_choice_label
        if theme_choices:
            self.fields["theme"].choices = theme_choices

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("description", "owner", "due_on")):
            return data
        if not (data.get("description") or "").strip():
            self.add_error("description", "Describe the action.")
        if not data.get("owner") and "owner" not in self.errors:
            self.add_error("owner", "Choose who owns the action.")
        if not data.get("due_on") and "due_on" not in self.errors:
            self.add_error("due_on", "Give the date the action is due, for example 2026-12-18.")
        elif data.get("due_on") and data["due_on"] < timezone.localdate():
            self.add_error("due_on", "The due date cannot be in the past.")
        return data

    def new_action(self) -> NewAction | None:
        data = self.cleaned_data
        if not data.get("description"):
            return None
        return NewAction(
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            in_care_plan=data["in_care_plan"],
            theme_id=data.get("theme"),
        )


NewActionFormSet = forms.formset_factory(NewActionForm, extra=2, max_num=5, validate_max=True)


def new_action_formset(data=None) -> forms.BaseFormSet:
    """The finalisation's new action rows, each with the audit form's optional learning theme.

    Every row is a new action, so only the active themes are offered (one query for the page, shared by the rows).
    """
    choices = action_theme_choices(themes_offered())
    return NewActionFormSet(data, prefix="actions", form_kwargs={"theme_choices": choices})


def error_links(*forms_) -> list[tuple[str, str]]:
    """(anchor, message) for every error of the given forms, for the summary at the top of a page.

    The anchor is the field's id (the first radio of a group); a form-wide error has none.
    """
    links: list[tuple[str, str]] = []
    for form in forms_:
        if form is None:
            continue
        if hasattr(form, "non_form_errors"):
            links += [("", str(error)) for error in form.non_form_errors()]
            links += error_links(*form.forms)
            continue
        links += [("", str(error)) for error in form.non_field_errors()]
        for field in form:
            anchor = field.auto_id + ("_0" if field.widget_type == "radioselect" else "")
            links += [(anchor, str(error)) for error in field.errors]
    return links


class ReviewForm(forms.Form):
    agrees = forms.TypedChoiceField(
        label="Do you agree with the moderated grade?",
        choices=[("yes", "Yes, I agree"), ("no", "No, I do not agree")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you agree with the moderated grade."},
    )
    note = LongTextField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if you do not agree.",
    )


class AddToSampleForm(forms.Form):
    # Options kept in the cache until the data changes (a returned audit, a sample change): the same every view.
    audit = KeptChoicesField(
        label="Audit to add",
        queryset=Audit.objects.none(),
        empty_label="Choose a returned audit",
        error_messages={"required": "Choose an audit to add.", "invalid_choice": "That audit cannot be added."},
    )

    def __init__(self, *args, audits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audit"].queryset = audits
        self.fields["audit"].label_from_instance = lambda a: (
            f"{a.child.case_ref}, {a.team.name}, audited by {a.auditor} ({a.get_auditor_grade_display()})"
        )


class ReassignForm(forms.Form):
    moderator = forms.ModelChoiceField(
        label="New moderator",
        queryset=User.objects.filter(is_moderator=True, is_active=True),
        error_messages={"required": "Choose a moderator.", "invalid_choice": "Choose an active moderator."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RemoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def moderation_form_data_with_version(data, moderation: Moderation):
    """The submitted data with the moderation's current version, so a re-shown form can be sent again."""
    data = data.copy()
    data["version"] = str(moderation.version)
    return data
