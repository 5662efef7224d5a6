"""Forms for editing a draft practice-area template: the version's name and a formset of its areas."""

from __future__ import annotations

from django import forms

from audits.models import PracticeArea, TemplateVersion
from audits.templates_services import DraftArea

NAME_MAX = PracticeArea._meta.get_field("name").max_length


class DraftNameForm(forms.Form):
    name = forms.CharField(
        label="Name of this version",
        max_length=TemplateVersion._meta.get_field("name").max_length,
        help_text="Shown to the QA team beside the version number.",
    )


class AreaForm(forms.Form):
    """One area of the draft. The page explains position and guidance once, above the rows, not in every row."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=NAME_MAX, required=False)
    guidance = forms.CharField(
        label="Guidance for auditors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    position = forms.IntegerField(
        label="Position",
        required=False,
        min_value=1,
        max_value=99,
    )
    remove = forms.BooleanField(label="Remove this area from the draft", required=False)

    def clean(self):
        data = super().clean()
        is_new = not data.get("id")
        if not data.get("remove") and not (data.get("name") or "").strip():
            if is_new:
                self.add_error("name", "Give the new practice area a name, or clear its guidance.")
            else:
                self.add_error("name", "Give this practice area a name, or tick “Remove this area”.")
        return data


class BaseAreaFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        names: dict[str, int] = {}
        kept = 0
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("remove"):
                continue
            kept += 1
            key = data["name"].strip().casefold()
            if key in names:
                form.add_error("name", "Another practice area already has this name.")
            names[key] = 1
        if kept == 0:
            raise forms.ValidationError("A template needs at least one practice area: keep or add one.")

    def draft_areas(self) -> list[DraftArea]:
        """The areas to keep, for `template_update_draft` (call after is_valid).

        An area the QA officer moved goes before one that merely sits at the same
        position already: typing 2 for the fifth area makes it second.
        """
        rows = []
        for index, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data or data.get("remove"):
                continue
            # A blank position keeps the area where it was listed.
            position = data.get("position") or index
            moved = "position" in form.changed_data and data.get("position") is not None
            area = DraftArea(id=data.get("id"), name=data["name"], guidance=data.get("guidance", ""), position=position)
            rows.append(((position, 0 if moved else 1, index), area))
        return [area for _, area in sorted(rows, key=lambda row: row[0])]


AreaFormSet = forms.formset_factory(AreaForm, formset=BaseAreaFormSet, extra=2, max_num=60, validate_max=True)


def area_formset(version: TemplateVersion, data=None) -> BaseAreaFormSet:
    """The draft's areas as editable rows, followed by two blank rows for new areas."""
    initial = [
        {"id": area.pk, "name": area.name, "guidance": area.guidance, "position": index}
        for index, area in enumerate(version.areas.all(), start=1)
    ]
    return AreaFormSet(data=data, initial=initial, prefix="areas")


def error_links(*forms_and_sets) -> list[tuple[str, str]]:
    """Every error on the page as (anchor id, message), for the error summary at the top."""
    links: list[tuple[str, str]] = []
    for item in forms_and_sets:
        if isinstance(item, forms.BaseFormSet):
            links += [("areas", str(message)) for message in item.non_form_errors()]
            parts = item.forms
        else:
            parts = [item]
        for form in parts:
            for field, messages in form.errors.items():
                anchor = form[field].auto_id if field in form.fields else "draft-form"
                links += [(anchor, str(message)) for message in messages]
    return links
