"""The tracker's `programme` column (created if new, blank = the monthly audit) and `NA` overall grades
(contracts.md section 1, added later)."""

from __future__ import annotations

import pytest

from actions.models import ChildOfConcern
from audits.models import NOT_GRADED, Audit, Programme
from imports.services import import_tracker_rows
from imports.tests.test_import_rows import tracker_row
from moderation.models import Moderation

pytestmark = pytest.mark.django_db


def test_a_new_programme_is_created_and_blank_means_the_monthly_audit():
    result = import_tracker_rows(
        [
            tracker_row(audit_ref="A-1", child_ref="CH-1", programme="Practice Review Week"),
            tracker_row(audit_ref="A-2", child_ref="CH-2", programme=""),
            tracker_row(audit_ref="A-3", child_ref="CH-3", programme="practice review week"),
        ]
    )
    assert not result.problems
    week = Programme.objects.get(name="Practice Review Week")
    assert (week.kind, week.slug) == ("themed", "practice-review-week")
    by_ref = dict(Audit.objects.values_list("external_ref", "programme__name"))
    assert by_ref == {"A-1": "Practice Review Week", "A-2": "Monthly audit", "A-3": "Practice Review Week"}


def test_re_importing_moves_an_audit_to_the_programme_the_file_now_names():
    import_tracker_rows([tracker_row(audit_ref="A-1", child_ref="CH-1")])
    result = import_tracker_rows([tracker_row(audit_ref="A-1", child_ref="CH-1", programme="Dip sample: CIN")])
    assert not result.problems and result.counts["audits"]["updated"] == 1
    assert Audit.objects.get().programme.name == "Dip sample: CIN"


def test_a_dry_run_creates_no_programme():
    result = import_tracker_rows([tracker_row(programme="Ambassador reviews")], dry_run=True)
    assert not result.problems
    assert not Programme.objects.filter(name="Ambassador reviews").exists()


def test_na_grades_are_returned_not_graded_and_raise_no_concern():
    result = import_tracker_rows(
        [
            tracker_row(audit_ref="A-1", child_ref="CH-1", auditor_grade="NA", programme="Minimum standards"),
            tracker_row(
                audit_ref="A-2",
                child_ref="CH-2",
                auditor_grade="n/a",
                moderator="mod",
                moderator_grade="NA",
                moderated_on="2026-10-28",
                programme="Minimum standards",
            ),
        ]
    )
    assert not result.problems
    audits = Audit.objects.order_by("external_ref")
    assert [(a.auditor_grade, a.final_grade, a.is_returned) for a in audits] == [
        (NOT_GRADED, NOT_GRADED, True),
        (NOT_GRADED, NOT_GRADED, True),
    ]
    assert Moderation.objects.get().outcome == Moderation.Outcome.AGREED
    assert not ChildOfConcern.objects.exists()
