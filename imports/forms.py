"""The QA team's upload form for a spreadsheet tracker."""

from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".xlsx")


def _check_upload(upload, advice: str = "Split the tracker by year and import each part."):
    if upload is None:
        return upload
    if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise forms.ValidationError("Choose a CSV file (.csv) or an Excel workbook (.xlsx).")
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            f"The file is {upload.size / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. {advice}"
        )
    return upload


class ImportUploadForm(forms.Form):
    audits_file = forms.FileField(
        label="Audits file",
        help_text="One row per allocation. CSV (UTF-8, comma separated) or Excel .xlsx (the first sheet is read).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    actions_file = forms.FileField(
        label="Actions file (optional)",
        required=False,
        help_text="One row per action, each naming the audit_ref of its audit. CSV or .xlsx.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "import-form"
        self.helper.add_input(Submit("check", "Check the files"))

    def clean_audits_file(self):
        return _check_upload(self.cleaned_data.get("audits_file"))

    def clean_actions_file(self):
        return _check_upload(self.cleaned_data.get("actions_file"))


class ListImportUploadForm(forms.Form):
    """The caseload or the staff list (contracts.md section 4): one file, and whether it is the whole list."""

    file = forms.FileField(
        label="File",
        help_text="CSV (UTF-8, comma separated) or Excel .xlsx (the first sheet is read).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    full = forms.BooleanField(label="This file is the whole list", required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Caseload file" if kind == "caseload" else "Staff list file"
        self.fields["full"].help_text = (
            "Open children missing from the file are closed today."
            if kind == "caseload"
            else "People missing from the file can no longer sign in (administrators are left alone)."
        )
        self.helper = FormHelper()
        self.helper.form_id = "import-form"
        self.helper.add_input(Submit("check", "Check the file"))

    def clean_file(self):
        return _check_upload(
            self.cleaned_data.get("file"), "Ask for the extract as CSV UTF-8, and check that it selects only this list."
        )
