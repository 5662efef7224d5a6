"""Forms for moderation pages. They parse input; the rules live in `moderation.services`."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from audits.models import AreaGradeChoice, Audit, Grade
from moderation.models import Moderation
from moderation.services import NewAction
from people.models import User
from people.selectors import staff_choices

GRADE_CHOICES = [(g.value, g.label) for g in Grade]
AREA_CHOICES = [("", "Not graded"), *((c.value, c.label) for c in AreaGradeChoice)]


class MonthField(forms.DateField):
    """A month as `YYYY-MM` (the browser's month picker sends this), cleaned to the month's first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("help_text", "Without a month picker, type it as year-month, for example 2026-10.")
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class MonthForm(forms.Form):
    month = MonthField(label="Month")

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
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when your grade differs from the auditor's: the evidence behind your judgement.",
    )
    feedback = forms.CharField(
        label="Feedback to the auditor",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write your feedback to the auditor."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, audit: Audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_rows = []
        auditor_grades = {row.area_id: row for row in audit.area_grades.all()}
        for area in audit.template.areas.all():
            name = f"area_{area.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{area.name}: your grade", choices=AREA_CHOICES, required=False
            )
            self.area_rows.append((area, auditor_grades.get(area.pk), name))

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
    strengths = forms.CharField(label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    improvements = forms.CharField(
        label="Areas for improvement", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, audit: Audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strengths"].initial = audit.strengths
        self.fields["improvements"].initial = audit.improvements
        self.area_rows = []
        for row in audit.area_grades.all():
            evidence, impact = f"evidence_{row.pk}", f"impact_{row.pk}"
            self.fields[evidence] = forms.CharField(
                label=f"{row.area.name}: evidence",
                required=False,
                initial=row.evidence,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[impact] = forms.CharField(
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

    description = forms.CharField(label="Action", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="Choose an owner"
    )
    due_on = forms.DateField(
        label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    in_care_plan = forms.BooleanField(label="Goes into the child's care plan", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices()

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
        )


NewActionFormSet = forms.formset_factory(NewActionForm, extra=2, max_num=5, validate_max=True)


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
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if you do not agree.",
    )


class AddToSampleForm(forms.Form):
    audit = forms.ModelChoiceField(
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
