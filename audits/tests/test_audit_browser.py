"""The auditor's journey in a real browser: a draft completed over two visits with autosave,
a submission with one error, its correction, and the read-only audit; axe on each page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Audit
from audits.tests.completion_helpers import audit_with_areas
from people.tests.factories import AuditorFactory, UserFactory


def fill_area(page, name: str, *, grade: str, evidence: str, impact: str = "") -> None:
    area = page.get_by_role("group", name=name, exact=True)
    area.get_by_label(grade, exact=True).check()
    area.get_by_label("Evidence").fill(evidence)
    if impact:
        area.get_by_label("Impact on the child's lived experience").fill(impact)


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_auditor_completes_a_draft_over_two_visits_then_submits(page, sign_in, axe):
    today = timezone.localdate()
    auditor = AuditorFactory(username="auditor", first_name="Ada", last_name="Auditor")
    UserFactory(first_name="Sam", last_name="Social-Worker", job_title="Social worker")
    audit = audit_with_areas(
        areas=2, auditor=auditor, month=today.replace(day=1), due_on=today + datetime.timedelta(days=4)
    )
    first_area, second_area = (area.name for area in audit.template.areas.order_by("order"))

    # First visit: from the home panel to the draft; start typing; autosave keeps it.
    sign_in("auditor")
    page.get_by_role("link", name=f"Complete the audit of {audit.child.case_ref}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(audit.child.case_ref)
    page.wait_for_load_state("load")  # htmx binds the autosave trigger on load
    fill_area(
        page, first_area, grade="Good", evidence="Risk was assessed the same day.", impact="She is safer at home."
    )
    page.get_by_role("textbox", name="Strengths").fill("Regular, purposeful visits.")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Saved at", timeout=15000)

    # The connection drops: the page says so and keeps the text; once back, the next autosave saves it.
    page.route("**/autosave/", lambda route: route.abort())
    page.get_by_role("textbox", name="Strengths").fill("Regular, purposeful visits")
    expect(status).to_contain_text("Not saved: no connection", timeout=15000)
    page.unroute("**/autosave/")
    page.get_by_role("textbox", name="Strengths").fill("Regular, purposeful visits.")
    expect(status).to_contain_text("Saved at", timeout=15000)

    # Second visit: everything typed is still there; finish all but one impact statement.
    page.goto("/")
    page.get_by_role("link", name=f"Complete the audit of {audit.child.case_ref}").click()
    expect(page.get_by_role("textbox", name="Strengths")).to_have_value("Regular, purposeful visits.")
    expect(page.get_by_role("group", name=first_area, exact=True).get_by_label("Evidence")).to_have_value(
        "Risk was assessed the same day."
    )
    fill_area(page, second_area, grade="Requires Improvement", evidence="The plan is out of date.")
    answer(page, "Overall grade", "Good")
    answer(page, "Did the social worker take part?", "Yes")
    answer(page, "Did the manager take part?", "Yes")
    answer(page, "Were the IRO or CP chair's views obtained?", "Child has no IRO / CP chair")
    answer(page, "Was the child spoken to?", "Yes")
    answer(page, "The child's view of the service", "Positive")
    page.get_by_label("What the child said").fill("I like my social worker.")
    answer(page, "Was a parent or carer spoken to?", "No")
    page.get_by_role("textbox", name="Areas for improvement").fill("Update the plan & chronology <promptly>.")
    first_action = page.get_by_role("group", name="Action 1", exact=True)
    first_action.get_by_label("What needs to happen").fill("Review the child's plan")
    first_action.get_by_role("combobox", name="Owner").fill("Social-W")
    page.get_by_role("option", name="Social-Worker, Sam — Social worker").click()
    first_action.get_by_label("Due date").fill((today + datetime.timedelta(days=30)).isoformat())

    # Submit with one error: the summary says what and links to the field.
    page.get_by_role("button", name="Submit audit").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1 thing to fix")
    expect(summary).to_be_focused()
    axe(page, "audit-form-with-errors")
    summary.get_by_role("link", name=f"{second_area}: describe the impact on the child's lived experience.").click()
    impact = page.get_by_role("group", name=second_area, exact=True).get_by_label(
        "Impact on the child's lived experience"
    )
    expect(impact).to_be_focused()
    impact.fill("Drift in planning delays permanence.")

    # Corrected: submitted once, and the audit reads back as typed, escaped, with its action.
    page.get_by_role("button", name="Submit audit").click()
    expect(page.get_by_text(f"Audit submitted on {today.day} {today:%b %Y}.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(audit.child.case_ref)
    expect(page.get_by_text("Update the plan & chronology <promptly>.")).to_be_visible()
    expect(page.get_by_role("cell", name="Review the child's plan")).to_be_visible()
    expect(page.get_by_role("link", name="Continue the audit")).to_have_count(0)
    axe(page, "audit-readonly")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Submitted: Ada Auditor")
    axe(page, "audit-history")

    audit.refresh_from_db()
    assert audit.status == Audit.Status.SUBMITTED
    assert audit.submitted_on == today
    assert audit.final_grade == "good"
    assert audit.actions.get().owner.last_name == "Social-Worker"
