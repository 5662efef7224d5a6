"""The lists as a manager and the QA team use them in a real browser: folded filters, sorting by a header,
a draft response to a Child of Concern, the link to its audit, search by child reference, and the panel."""

import datetime

import pytest
from django.utils import timezone

from actions.models import ChildOfConcern
from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from moderation.tests.factories import ModerationFactory
from people.tests.factories import ManagerFactory, QualityFactory, TeamFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_sorts_the_tracker_drafts_a_response_and_searches_a_child(page, sign_in, axe):
    today = timezone.localdate()
    manager = ManagerFactory(username="manager", first_name="Maya", last_name="Manager")
    team = TeamFactory(name="Cheltenham Safeguarding 2", manager=manager)
    owner = UserFactory(first_name="Sam", last_name="Worker")
    for days, what in [(3, "Recent overdue action"), (40, "Long overdue action"), (12, "Middling overdue action")]:
        ActionFactory(
            audit__child__team=team, owner=owner, due_on=today - datetime.timedelta(days=days), description=what
        )
    concern = ChildOfConcernFactory(
        audit__child__team=team,
        audit__child__case_ref="C424242",
        raised_on=today - datetime.timedelta(days=1),
        response_due_on=today + datetime.timedelta(days=4),
    )

    sign_in("manager")
    page.get_by_role("link", name="Actions", exact=True).click()
    page.get_by_role("heading", name="Action tracker").wait_for()
    summary = page.locator("summary")
    assert "Whose actions: My teams' actions · Status: Overdue" in summary.inner_text()
    assert not page.get_by_label("Owner").is_visible()  # the filters are folded
    axe(page, "lists-tracker-folded")

    # Most overdue first, by the Days overdue header.
    page.get_by_role("link", name="Days overdue").click()
    page.wait_for_url("**sort=-days_overdue**")
    rows = page.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert rows == ["Long overdue action", "Middling overdue action", "Recent overdue action"]
    assert page.locator('th[aria-sort="descending"]').inner_text().startswith("Days overdue")
    assert page.locator("tbody tr td:nth-child(7)").all_inner_texts()[0].strip() == "40"
    axe(page, "lists-tracker-sorted")

    # Open the filters, narrow to the team: the sort is kept.
    summary.click()
    page.get_by_label("Team").select_option(label="Cheltenham Safeguarding 2")
    axe(page, "lists-tracker-filters-open")
    page.get_by_role("button", name="Show actions").click()
    page.wait_for_url("**team=**")
    assert "sort=-days_overdue" in page.url
    assert "Team: Cheltenham Safeguarding 2" in page.locator("summary").inner_text()

    # The Child of Concern: a draft, then back to send it.
    page.get_by_role("link", name="Children of Concern", exact=True).click()
    page.get_by_role("link", name="C424242").click()
    page.wait_for_url("**/actions/concerns/*/")
    page.get_by_role("link", name="Read the audit of C424242").wait_for()
    page.get_by_label("(a) What is being done").fill("Visited today; safety plan agreed with mother.")
    page.get_by_role("button", name="Save draft (not sent)").click()
    page.get_by_text("Draft saved, not sent: the QA team sees it as a draft.").wait_for()
    assert page.get_by_label("(a) What is being done").input_value() == "Visited today; safety plan agreed with mother."
    axe(page, "lists-concern-draft")
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.AWAITING_RESPONSE and concern.draft_saved_at is not None

    # The audit behind the concern opens from the link.
    page.get_by_role("link", name="Read the audit of C424242").click()
    page.get_by_role("heading", name="C424242").first.wait_for()

    # Search by child reference from the header.
    page.get_by_role("searchbox", name="Child reference").first.fill("424242")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="Children of Concern").wait_for()
    assert page.get_by_role("heading", name="Audits").is_visible()
    axe(page, "lists-search-results")
    page.get_by_role("searchbox", name="Child reference").first.fill("C999999")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    page.get_by_text("No results for “C999999”.").wait_for()
    axe(page, "lists-search-none")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_qa_team_sorts_the_third_checks_and_the_panel_opens_on_a_moderated_month(page, sign_in, axe):
    QualityFactory(username="quality")
    month = datetime.date(2026, 6, 1)
    for ref, team in [("C500001", "Beta Team"), ("C500002", "Alpha Team")]:
        ModerationFactory(
            completed=True,
            audit__month=month,
            audit__child__case_ref=ref,
            audit__child__team=TeamFactory(name=team),
            audit__auditor_grade="good",
            grade="requires_improvement",
            rationale="Plans drift.",
        )

    sign_in("quality")
    page.goto("/moderation/panel/")
    page.get_by_role("heading", name="Moderation panel: June 2026").wait_for()
    assert page.get_by_text("Showing June 2026, the latest month with moderated audits").is_visible()
    assert page.get_by_role("link", name="C500001").is_visible()
    axe(page, "lists-panel-latest-month")

    page.goto("/moderation/effect/")
    page.get_by_role("heading", name="Moderator effect: June 2026").wait_for()
    axe(page, "lists-effect-latest-month")

    page.goto("/moderation/reviews/")
    page.get_by_role("link", name="Team").click()
    page.wait_for_url("**sort=team**")
    assert page.locator("tbody th").all_inner_texts() == ["C500002", "C500001"]
    page.get_by_role("link", name="Team").click()
    page.wait_for_url("**sort=-team**")
    assert page.locator("tbody th").all_inner_texts() == ["C500001", "C500002"]
    axe(page, "lists-third-checks-sorted")
