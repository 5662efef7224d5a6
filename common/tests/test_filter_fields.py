"""The list filters' fields written in Python (common/filter_fields.py) are crispy-forms' markup, field for field.

Every field of the tracker's, the concerns list's and the report drill-down list's filters is rendered twice, by
`as_crispy_field` and by `as_filter_field`, each on a form of its own (crispy changes the widget it renders),
with the filters blank, filled in and wrong; the two must be the same once the whitespace between elements is
set aside.
"""

from __future__ import annotations

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.test import RequestFactory

from actions.filters import ActionFilter, ConcernFilter
from actions.models import Action, ChildOfConcern
from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from audits.models import Audit
from common.filter_fields import is_plain
from common.templatetags.list_cells import as_filter_field
from people.tests.factories import QualityFactory
from reports.filters import AuditDrilldownFilter

pytestmark = pytest.mark.django_db


def normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


def each_field_both_ways(filterset_class, queryset, data, user):
    request = RequestFactory().get("/", data)
    request.user = user
    by_crispy = filterset_class(request.GET, queryset=queryset, request=request)
    by_us = filterset_class(request.GET, queryset=queryset, request=request)
    by_crispy.is_valid(), by_us.is_valid()
    for ours in by_us.form:
        if ours.name != "sort":
            yield ours, str(as_crispy_field(by_crispy.form[ours.name])), str(as_filter_field(ours))


@pytest.fixture
def quality():
    user = QualityFactory()
    action = ActionFactory(owner__first_name="Ann", owner__last_name="O'Neil & Co")
    ChildOfConcernFactory(audit=action.audit)
    return user


CASES = [
    (ActionFilter, Action, {}),
    (ActionFilter, Action, {"status": "overdue", "view": "mine", "due_after": "2026-01-05", "in_care_plan": "true"}),
    (ActionFilter, Action, {"audit_month_from": "2026-13", "due_before": "never", "team": "999999", "owner": "x"}),
    (ConcernFilter, ChildOfConcern, {"state": "open"}),
    (ConcernFilter, ChildOfConcern, {"audit_month": "2026-10", "resolved_by": "2026-11-01", "sort": "-raised"}),
    (ConcernFilter, ChildOfConcern, {"audit_month": "October", "open_on": "32/10/2026", "team": "999999"}),
    (AuditDrilldownFilter, Audit, {"month": "2026-10"}),
    (AuditDrilldownFilter, Audit, {"month_from": "2026-01", "outcome": "returned", "grade": ["good"], "late": "1"}),
    (AuditDrilldownFilter, Audit, {"month": "13/2026", "outcome": "nonsense", "awaiting_finalisation": "soon"}),
]


@pytest.mark.parametrize(("filterset_class", "model", "data"), CASES)
def test_every_filter_field_is_written_as_crispy_writes_it(quality, filterset_class, model, data):
    plain = 0
    for field, by_crispy, by_us in each_field_both_ways(filterset_class, model.objects.all(), data, quality):
        assert normalised(by_us) == normalised(by_crispy), field.name
        plain += is_plain(field)
    assert plain >= 5  # most of each form is written by our code, not handed back to crispy


def test_an_error_is_shown_at_its_field(quality):
    fields = {
        field.name: normalised(by_us)
        for field, _, by_us in each_field_both_ways(ActionFilter, Action.objects.all(), {"due_before": "x"}, quality)
    }
    assert 'class="dateinput form-control is-invalid"' in fields["due_before"]
    assert 'id="error_1_id_due_before"' in fields["due_before"]
    assert 'aria-describedby="id_due_before_error"' in fields["due_before"]
    assert "is-invalid" not in fields["due_after"]
