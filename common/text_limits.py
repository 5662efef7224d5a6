"""Length limits for free text typed by people.

Every free-text field has a limit no person writing about one child's file would reach, so a pasted
document or a runaway script gets a clear message at the field instead of filling the database.
The model TextFields carry the limit as `max_length` (so the admin and any model form enforce it);
the product's own forms use `LongTextField`, whose message says by how much the text is over.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

# Paragraph-length answers: rationales, feedback, responses, notes, exemption details.
LONG_TEXT_MAX = 10_000
# An action to be taken: a sentence or two.
ACTION_TEXT_MAX = 2_000
# Report narrative sections, which may run to several pages.
NARRATIVE_MAX = 50_000


class TextLengthValidator(MaxLengthValidator):
    """A length limit whose message says what to do and by how much, with the numbers as people write them."""

    message = "Keep this to %(limit)s characters or fewer: it has %(length)s."

    def __call__(self, value) -> None:
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            raise ValidationError(
                self.message,
                code=self.code,
                params={
                    "limit": f"{self.limit_value:,}",
                    "length": f"{length:,}",
                    "limit_value": self.limit_value,
                    "show_value": length,
                    "value": value,
                },
            )


class LongTextField(forms.CharField):
    """A free-text answer (a textarea by default) with a limit and the message above.

    The textarea gets no `maxlength` attribute on purpose: a browser silently cuts a long paste at
    that length, so the person would lose the end of their text without being told. The server
    refuses it instead, with the message at the field and everything they typed still there.
    """

    widget = forms.Textarea

    def __init__(self, *, max_length: int = LONG_TEXT_MAX, **kwargs) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [
            TextLengthValidator(max_length) if isinstance(validator, MaxLengthValidator) else validator
            for validator in self.validators
        ]

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs
