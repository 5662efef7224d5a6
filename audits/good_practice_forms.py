"""The QA team's form for good practice: what the social worker says made the difference, and its themes."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from audits.models import Theme
from audits.theme_forms import ThemeChecklistField
from common.text_limits import LongTextField


class GoodPracticeForm(forms.Form):
    text = LongTextField(
        label="What the social worker says made the difference",
        help_text=(
            "In the social worker's words where you can. The report lists this without the child's name or case "
            "reference: do not name the child or family here either."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write what the social worker says made the difference."},
    )

    def __init__(self, *args, themes: Sequence[Theme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"] = ThemeChecklistField(themes=themes, label="Learning themes this practice shows")
