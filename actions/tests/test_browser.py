"""The manager's journey in a real browser: answer a Child of Concern and complete an overdue action."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Action, ChildOfConcern
from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from audits.models import AreaGradeChoice
from audits.tests.factories import AreaGradeFactory
from people.tests.factories import ManagerFactory, TeamFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_responds_to_a_child_of_concern_and_completes_an_overdue_action(page, sign_in, axe):
    today = timezone.localdate()
    manager = ManagerFactory(username="manager", first_name="Maya", last_name="Manager")
    team = TeamFactory(name="Hillside Safeguarding", manager=manager)
    action = ActionFactory(
        audit__child__team=team,
        owner=UserFactory(first_name="Sam", last_name="Worker"),
        due_on=today - datetime.timedelta(days=9),
        description="See the child alone and record their wishes",
    )
    ActionFactory(audit__child__team=team, due_on=today + datetime.timedelta(days=20), description="Not due yet")
    concern = ChildOfConcernFactory(
        audit__child__team=team,
        audit__improvements="No direct work with the child since June.",
        raised_on=today - datetime.timedelta(days=2),
        response_due_on=today + datetime.timedelta(days=3),
    )
    AreaGradeFactory(
        audit=concern.audit,
        grade=AreaGradeChoice.INADEQUATE,
        evidence="Plan not reviewed since March",
        impact="Risks to the child not known",
    )

    sign_in("manager")
    page.get_by_role("link", name="Actions", exact=True).click()
    page.get_by_role("heading", name="Action tracker").wait_for()
    assert page.get_by_role("link", name=action.description).is_visible()
    assert not page.get_by_role("link", name="Not due yet").is_visible()  # lands on overdue only
    axe(page, "actions-tracker")

    page.get_by_role("link", name=action.description).click()
    page.get_by_label("What changed for the child").fill("Sam saw her alone at school; her wishes are in the plan.")
    page.get_by_role("button", name="Complete action").click()
    page.get_by_text("Action completed.").wait_for()
    assert page.get_by_text("Completed late").first.is_visible()
    axe(page, "action-detail-completed")

    page.get_by_role("link", name="Children of Concern", exact=True).click()
    page.get_by_role("heading", name="Children of Concern").wait_for()
    axe(page, "coc-list")
    page.get_by_role("link", name=concern.child.case_ref).click()
    page.get_by_text("No direct work with the child since June.").wait_for()
    assert page.get_by_text("Plan not reviewed since March").is_visible()

    # Two parts missing: the summary at the top links to each field.
    page.get_by_label("(a) What is being done").fill("Visited today; safety plan agreed with mother.")
    page.get_by_role("button", name="Send response").click()
    summary = page.get_by_role("alert")
    summary.get_by_role("link", name="Give assurance that the service offer").wait_for()
    axe(page, "coc-response-errors")
    summary.get_by_role("link", name="Give assurance that the service offer").click()
    page.get_by_label("(b) Assurance").fill("CP plan reviewed; family support worker added.")
    page.get_by_label("(c) The next steps").fill("Core group 1 Dec; review conference 15 Dec.")
    axe(page, "coc-response")
    page.get_by_role("button", name="Send response").click()
    page.get_by_text("Response sent to the QA team for review.").wait_for()
    assert page.get_by_text("Response under review").first.is_visible()

    action.refresh_from_db()
    concern.refresh_from_db()
    assert action.completed_on == today and action.completed_by == manager
    assert action.status_on(today) == Action.Status.COMPLETED_LATE
    assert concern.status == ChildOfConcern.Status.RESPONDED and concern.responded_by == manager
    assert concern.safety_response == "Visited today; safety plan agreed with mother."
