"""The shared list pieces: header links and states, the pager's query, unknown sorts, the active filters in words."""

import django_filters
import pytest
from django import forms
from django.http import QueryDict

from common.listing import ListFilterSet, SortFilter
from people.models import Team
from people.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


class TeamList(ListFilterSet):
    name = django_filters.CharFilter(label="Name", lookup_expr="icontains")
    active = django_filters.BooleanFilter(
        label="Active", field_name="is_active", widget=forms.Select(choices=[("", "Either"), ("true", "Yes")])
    )
    since = django_filters.DateFilter(label="Since", method="ignore", input_formats=["%Y-%m"])
    on = django_filters.DateFilter(label="On", method="ignore")
    area = django_filters.ChoiceFilter(label="Area", choices=[("csc", "Children's Social Care")], method="ignore")
    sort = SortFilter(
        fields=(("name", "name"), ("monthly_target", "target")), default="name", descending_first=("target",)
    )

    class Meta:
        model = Team
        fields: list[str] = []

    def ignore(self, queryset, name, value):
        return queryset


def test_the_sorted_column_reverses_and_the_others_start_their_own_way():
    headers = TeamList(QueryDict("name=hill&sort=name&page=3")).sort_headers
    assert headers["name"].direction == "ascending"
    assert headers["name"].query == "name=hill&sort=-name"  # the filter kept, the page dropped
    assert headers["target"].direction == "" and headers["target"].query == "name=hill&sort=-target"
    assert headers["target"].next_direction == "descending"
    descending = TeamList(QueryDict("sort=-name")).sort_headers["name"]
    assert (descending.direction, descending.query) == ("descending", "sort=name")


def test_without_a_sort_the_default_is_shown_and_applied():
    TeamFactory(name="Beta"), TeamFactory(name="Alpha")
    team_list = TeamList(QueryDict(""))
    assert team_list.sort_value == "name" and team_list.sort_headers["name"].direction == "ascending"
    assert [t.name for t in team_list.qs] == ["Alpha", "Beta"]


def test_an_unknown_sort_is_dropped_not_reported_as_an_error():
    TeamFactory(name="Beta"), TeamFactory(name="Alpha")
    team_list = TeamList(QueryDict("sort=password&name=a"))
    assert team_list.is_valid() and team_list.sort_value == "name"
    assert [t.name for t in team_list.qs] == ["Alpha", "Beta"]


def test_the_pager_query_keeps_filters_and_sort_but_not_the_page():
    assert TeamList(QueryDict("name=hill&sort=-target&page=2")).page_query == "name=hill&sort=-target"
    assert TeamList(None).page_query == ""


def test_the_active_filters_read_in_words_and_leave_out_the_blank_ones_and_the_sort():
    data = QueryDict("name=hill&active=true&since=2026-10&on=2026-11-21&area=csc&sort=-name")
    assert TeamList(data).active_filters == [
        ("Name", "hill"),
        ("Active", "Yes"),
        ("Since", "Oct 2026"),
        ("On", "21 Nov 2026"),
        ("Area", "Children's Social Care"),
    ]
    assert TeamList(QueryDict("name=&active=")).active_filters == []
    assert TeamList(QueryDict("on=31/02/2026")).active_filters == []  # nothing claimed while a filter is wrong
