"""What every list page shares: sortable column headers, the summary of the active filters, days overdue.

One piece for every list, not a copy per page. A list's FilterSet extends `ListFilterSet` and declares
`sort = SortFilter(fields=[(model field, parameter), ...], default=...)`; its template renders each
sortable header with

    {% include "_sortable_header.html" with header=filter.sort_headers.due label="Due" %}

which links to the same list sorted by that column (the other filters kept, back to page one), marks the
sorted column with `aria-sort` and shows an arrow. Pagination keeps the sort through `filter.page_query`.
Sorting is an ORDER BY in the database, so it costs no query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

import django_filters
from django import forms
from django.db.models import Case, DurationField, ExpressionWrapper, F, Q, Value, When
from django.http import QueryDict
from django.utils import dateformat

SORT_PARAM = "sort"
PAGE_PARAM = "page"


class SortFilter(django_filters.OrderingFilter):
    """django-filter's OrderingFilter for header links: one column at a time, blanks last, a stable order.

    `fields` are (model field or annotation, parameter) pairs as OrderingFilter takes them. `default` is the
    parameter (with "-" for descending) used when none is given, or None to keep the queryset's own order
    (the page then marks no column as sorted). `tiebreak` follows the chosen column so that rows with equal
    values keep one order across pages. `descending_first` names the columns whose first click sorts
    descending (most days overdue, newest first).
    """

    def __init__(
        self,
        *,
        fields,
        default: str | None = None,
        tiebreak: tuple[str, ...] = ("pk",),
        descending_first: tuple[str, ...] = (),
        **kwargs,
    ):
        kwargs.setdefault("label", "Sort by")
        super().__init__(fields=fields, **kwargs)
        self.default = default
        self.tiebreak = tiebreak
        self.descending_first = set(descending_first)

    @property
    def params(self) -> set[str]:
        return set(self.param_map)

    def is_known(self, value: str) -> bool:
        return value.removeprefix("-") in self.param_map

    def filter(self, qs, value):
        chosen = [param for param in (value or []) if param]
        param = chosen[0] if chosen else self.default
        if not param:
            return qs
        field = F(self.param_map[param.removeprefix("-")])
        # Blanks (no completion date, not overdue) go last both ways, on SQLite as on PostgreSQL.
        column = field.desc(nulls_last=True) if param.startswith("-") else field.asc(nulls_last=True)
        return qs.order_by(column, *self.tiebreak)


@dataclass(frozen=True)
class SortHeader:
    """One column header's link and state: `direction` is the aria-sort value, or "" when not sorted by it."""

    query: str
    direction: str
    next_direction: str


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet for a list page: the sortable headers, the pager's query and the active filters in words.

    An unknown sort value in a hand-made URL falls back to the default order rather than showing an error
    about a field the page does not display.
    """

    def __init__(self, data=None, *args, **kwargs):
        sort = self.base_filters.get(SORT_PARAM)
        if data is not None and sort is not None and SORT_PARAM in data:
            values = [v for v in data.get(SORT_PARAM, "").split(",") if v]
            if not all(sort.is_known(v) for v in values):
                data = data.copy()
                del data[SORT_PARAM]
        super().__init__(data, *args, **kwargs)

    # --- Sorting ---------------------------------------------------------------------------------------------

    @cached_property
    def sort_value(self) -> str:
        """The sort in force: the one asked for, or the default ("" when the queryset's own order applies)."""
        sort = self.filters[SORT_PARAM]
        asked = [v for v in self.data.get(SORT_PARAM, "").split(",") if v]
        return asked[0] if asked else (sort.default or "")

    @cached_property
    def sort_headers(self) -> dict[str, SortHeader]:
        """{parameter: SortHeader} for every sortable column."""
        sort = self.filters[SORT_PARAM]
        current = self.sort_value
        headers = {}
        for param in sort.params:
            if current.removeprefix("-") == param:
                direction = "descending" if current.startswith("-") else "ascending"
                next_sort = param if direction == "descending" else f"-{param}"
            else:
                direction = ""
                next_sort = f"-{param}" if param in sort.descending_first else param
            query = self._query_without(PAGE_PARAM)
            query[SORT_PARAM] = next_sort
            headers[param] = SortHeader(
                query=query.urlencode(),
                direction=direction,
                next_direction="descending" if next_sort.startswith("-") else "ascending",
            )
        return headers

    @cached_property
    def page_query(self) -> str:
        """The filters and the sort, url-encoded, without the page: what the pager's links start from."""
        return self._query_without(PAGE_PARAM).urlencode()

    def _query_without(self, *names: str) -> QueryDict:
        query = self.data.copy() if isinstance(self.data, QueryDict) else _query_dict(self.data)
        for name in names:
            query.pop(name, None)
        return query

    # --- The active filters, for the folded filter form's summary ------------------------------------------

    @cached_property
    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value in words) for each filter in use, in the form's order; the sort is not a filter."""
        if not self.is_bound or not self.form.is_valid():
            return []
        active = []
        for name, field in self.form.fields.items():
            if name == SORT_PARAM:
                continue
            words = _in_words(field, self.form.cleaned_data.get(name))
            if words:
                active.append((str(field.label), words))
        return active


def _query_dict(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in (data or {}).items():
        query[key] = value
    return query


def _in_words(field: forms.Field, value) -> str:
    if value is None or value == "" or value == [] or value == ():
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        month_only = getattr(field.widget, "input_type", "") == "month" or "%Y-%m" in getattr(
            field, "input_formats", []
        )
        return dateformat.format(value, "M Y" if month_only else "j M Y")
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    choices = {str(key): str(label) for key, label in getattr(field, "choices", [])}
    if isinstance(value, list | tuple):
        return ", ".join(choices.get(str(v), str(v)) for v in value)
    return choices.get(str(value), str(value))


# --- Days overdue ----------------------------------------------------------------------------------------------------


def days_overdue(due_field: str, on: datetime.date, overdue: Q) -> Case:
    """How long past `due_field` a row is on `on`, where `overdue` holds; NULL otherwise. In SQL, for sorting.

    The result is a duration (whole days, since both sides are dates): templates show `.days`.
    """
    return Case(
        When(overdue, then=ExpressionWrapper(Value(on) - F(due_field), output_field=DurationField())),
        default=None,
        output_field=DurationField(),
    )
