"""The QA team picks "last quarter" on the period report in a real browser and follows a figure to its audits."""

import pytest
from django.utils import timezone

from people.tests.factories import QualityFactory
from reports.period import quick_picks
from reports.tests.tracker import load_rows, tracker_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_qa_team_picks_last_quarter_and_follows_a_figure_to_its_audits(page, sign_in, axe):
    QualityFactory(username="quality")
    last_quarter = next(pick for pick in quick_picks(timezone.localdate()) if pick.key == "last_quarter")
    first, last = f"{last_quarter.first:%Y-%m}", f"{last_quarter.last:%Y-%m}"
    load_rows(
        [
            tracker_row(first, auditor_grade="GOOD", team="Ambleside"),
            tracker_row(first, auditor_grade="RI", team="Ambleside"),
            tracker_row(last, auditor_grade="INADEQUATE", team="Ambleside"),
            tracker_row(last, auditor_grade="GOOD", team="Brambles"),
            tracker_row(last, "nil_return", team="Brambles"),
        ]
    )

    sign_in("quality")
    page.goto("/reports/")
    page.get_by_role("link", name="report over a period").click()
    page.get_by_role("heading", name="Quick picks").wait_for()
    axe(page, "period-report-form")

    page.get_by_role("link", name=last_quarter.label).click()
    page.wait_for_url(f"**to_month={last}**")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"QA report over a period: {last_quarter.first:%b %Y} to {last_quarter.last:%b %Y}"
    axe(page, "period-report")

    # Ambleside's row in the table by team: three returned audits; its total links to them.
    row = page.locator("#table-ratings_by_team tbody tr").filter(has_text="Ambleside")
    total = row.get_by_role("cell").nth(5)
    assert total.inner_text() == "3"
    total.get_by_role("link").click()
    page.wait_for_url("**/reports/audits/**")
    page.get_by_role("heading", name="Audits behind a report figure").wait_for()
    assert "3 audits match these filters." in page.locator(".lead").inner_text()
    assert page.locator("main table tbody tr").count() == 3
