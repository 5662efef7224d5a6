"""Form fields for a month (`<input type="month">`) and a day in a sensible range, shared by every page that asks."""

from __future__ import annotations

from django import forms
from django.utils.choices import BaseChoiceIterator

from common.periods import (
    EARLIEST_DAY,
    EARLIEST_MONTH,
    LATEST_DAY,
    LATEST_MONTH,
    is_sensible_day,
    is_sensible_month,
    sensible_day_message,
    sensible_month_message,
)


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


class SensibleMonthField(MonthField):
    """A month between EARLIEST_MONTH and LATEST_MONTH: `?month=9999-12` gets a message at the field."""

    default_error_messages = {"invalid": sensible_month_message()}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update(min=f"{EARLIEST_MONTH:%Y-%m}", max=f"{LATEST_MONTH:%Y-%m}")

    def validate(self, value):
        super().validate(value)
        if value is not None and not is_sensible_month(value):
            raise forms.ValidationError(sensible_month_message(), code="out_of_range")


class DateInput(forms.DateInput):
    """A date picker (`<input type="date">`, value YYYY-MM-DD, kept through every save and error)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SensibleDateField(forms.DateField):
    """A day between EARLIEST_DAY and LATEST_DAY: a due date in year 9999 or year 1 gets a message, not a 500
    later (PostgreSQL and Python dates end at 9999) or a record no report can place."""

    widget = DateInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if getattr(self.widget, "input_type", None) == "date":
            self.widget.attrs.setdefault("min", EARLIEST_DAY.isoformat())
            self.widget.attrs.setdefault("max", LATEST_DAY.isoformat())

    def validate(self, value):
        super().validate(value)
        if value is not None and not is_sensible_day(value):
            raise forms.ValidationError(sensible_day_message(), code="out_of_range")


class KeptChoicesField(forms.ModelChoiceField):
    """A ModelChoiceField whose options (value and label) are kept in the cache until the data changes.

    A list page's picker (the owners or teams that have actions a person can see) costs a scan of the data and
    a model and a label per option on every view, though the answer only changes when the data does. The options
    are kept under the queryset's SQL (which names everything that chooses the rows: scope, person, order) and the
    data version (common/versioned_cache.py), so a write shows on the next view. The submitted value is still
    checked against the queryset itself. Only for models whose writes move the data version (reports/cache.py).
    """

    def _get_choices(self):
        if hasattr(self, "_choices"):
            return self._choices
        # Lazy, as Django's own ModelChoiceIterator: the form's fields are copied (and their choices asked for)
        # twice before the page renders; only the rendered widget reads the options, once.
        return _KeptChoiceIterator(self)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class _KeptChoiceIterator(BaseChoiceIterator):
    """A KeptChoicesField's options, read from the cache (or the database) on the first iteration, then kept."""

    def __init__(self, field: KeptChoicesField):
        self.field = field
        self.queryset = field.queryset
        self.options: list | None = None

    def __iter__(self):
        if self.options is None:
            from common.versioned_cache import cached_for_queryset

            field, queryset = self.field, self.queryset
            options = cached_for_queryset(
                "choices", queryset, (), lambda: [(obj.pk, field.label_from_instance(obj)) for obj in queryset]
            )
            self.options = [("", field.empty_label), *options] if field.empty_label is not None else options
        return iter(self.options)

    def __len__(self) -> int:
        return len(list(iter(self)))
