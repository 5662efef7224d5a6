"""The tracker's learning-theme columns (contracts.md section 1, issue 14): `;`-separated names, matched
whatever their case, created if new, written in bulk; re-import replaces a row's tags; the report counts them."""

import datetime
import io

import pytest
from django.core.management import call_command

from audits.models import Audit, AuditTheme, Theme
from imports.services import import_tracker_rows
from reports.selectors import report_figures
from reports.tests.tracker import tracker_row

pytestmark = pytest.mark.django_db

HEADER = (
    "audit_ref,month,team,service_area,child_ref,legal_status,auditor,outcome,due_on,submitted_on,auditor_grade,"
    "themes_improvement,themes_strength"
)


def tags(ref: str) -> set[tuple[str, str]]:
    return set(AuditTheme.objects.filter(audit__external_ref=ref).values_list("theme__name", "kind"))


def test_a_csv_with_theme_columns_tags_its_audits_and_the_report_counts_them(tmp_path):
    path = tmp_path / "AUDITS.csv"
    path.write_text(
        f"{HEADER}\n"
        'A-1,2026-09,North,CSC,CH-1,CIN,asmith,returned,2026-09-25,2026-09-20,RI,"chronologies; Recording of visits",'
        "Voice of the child\n"
        "A-2,2026-09,North,CSC,CH-2,CP,asmith,returned,2026-09-25,2026-09-20,GOOD,CHRONOLOGIES;;,\n"
        "A-3,2026-09,North,CSC,CH-3,CP,asmith,exempted,2026-09-25,,,recording OF visits,\n"
    )
    out = io.StringIO()
    call_command("import_tracker", str(path), stdout=out)
    assert "Learning themes: 1 new; tags 5 added, 0 removed." in out.getvalue()
    assert tags("A-1") == {
        ("Chronologies", "improvement"),
        ("Recording of visits", "improvement"),
        ("Voice of the child", "strength"),
    }
    assert tags("A-2") == {("Chronologies", "improvement")}
    # One theme, spelt as first met; an exempted row keeps its tag but the report counts returned audits only.
    assert Theme.objects.filter(name__iexact="recording of visits").count() == 1
    assert report_figures(datetime.date(2026, 9, 1))["themes"] == {
        "improvement": [
            {"theme": "Chronologies", "audits": 2, "percent": 100.0},
            {"theme": "Recording of visits", "audits": 1, "percent": 50.0},
        ],
        "strength": [{"theme": "Voice of the child", "audits": 1, "percent": 50.0}],
    }


def test_reimport_replaces_the_tags_of_the_columns_present_and_leaves_the_others():
    row = tracker_row("2026-09", themes_improvement="Chronologies; SMART plans", themes_strength="Direct work")
    assert import_tracker_rows([row]).ok
    ref = row["audit_ref"]
    again = {**row, "themes_improvement": "smart plans; Permanence"}
    del again["themes_strength"]
    result = import_tracker_rows([again])
    assert result.ok
    assert (result.counts["theme_tags"]["created"], result.counts["theme_tags"]["removed"]) == (1, 1)
    assert tags(ref) == {("SMART plans", "improvement"), ("Permanence", "improvement"), ("Direct work", "strength")}
    # A blank cell in a present column: none of that kind.
    assert import_tracker_rows([{**row, "themes_improvement": "", "themes_strength": "Direct work"}]).ok
    assert tags(ref) == {("Direct work", "strength")}


def test_a_dry_run_counts_the_new_themes_and_tags_and_writes_nothing():
    rows = [tracker_row("2026-09", themes_improvement="Brand new theme; Chronologies")]
    result = import_tracker_rows(rows, dry_run=True)
    assert result.ok
    assert result.counts["themes"]["created"] == 1 and result.counts["theme_tags"]["created"] == 2
    assert not Theme.objects.filter(name="Brand new theme").exists()
    assert not Audit.objects.exists()


def test_a_theme_name_too_long_is_a_problem_at_its_row_and_column():
    rows = [tracker_row("2026-09"), tracker_row("2026-09", themes_strength="x" * 121)]
    result = import_tracker_rows(rows)
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        f'ROW 3, COLUMN themes_strength: the theme "{"x" * 40}..." is 121 characters long; at most 120 fit'
    ]
    assert not Audit.objects.exists()


def test_theme_writes_take_the_same_number_of_queries_for_few_rows_and_many(django_assert_max_num_queries):
    def rows(n: int, month: str):
        return [
            tracker_row(month, themes_improvement="Chronologies; Theme X", themes_strength="Permanence")
            for _ in range(n)
        ]

    with django_assert_max_num_queries(200) as few:
        assert import_tracker_rows(rows(2, "2026-08")).ok
    with django_assert_max_num_queries(200) as many:
        assert import_tracker_rows(rows(60, "2026-09")).ok
    assert len(many.captured_queries) <= len(few.captured_queries) + 2
    assert AuditTheme.objects.count() == 62 * 3
