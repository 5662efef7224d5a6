"""A themed audit from start to report on the demo authority, in a real browser (issue 13).

The `quality` demo user adds a themed audit, gives it its own questions, builds its cohort from the demo
caseload's `no_plan` children, draws a sample, gives one child to the demo auditor and confirms; the auditor
completes that audit; the period report scoped to the programme counts it. axe on every page on the way.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from allocation.tests.cohort_steps import build_no_plan_cohort_and_draw
from audits.models import Audit, PracticeArea, Programme
from caseload.models import Child
from people.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Assessed but no plan"
SLUG = "assessed-but-no-plan"


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def create_programme_with_its_questions(page, axe, today: datetime.date) -> None:
    page.get_by_role("link", name="Programmes").first.click()
    axe(page, "journey-programme-list")
    page.goto("/audits/programmes/new/")
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Kind").select_option(label="Themed audit")
    page.get_by_label("Starts on").fill(today.replace(day=1).isoformat())
    page.get_by_label("Ends on").fill((today + datetime.timedelta(days=21)).isoformat())
    axe(page, "journey-programme-form")
    page.get_by_role("button", name="Save the programme").click()
    page.wait_for_url(f"**/audits/programmes/{SLUG}/")
    axe(page, "journey-programme-page")
    # Its own questions: a draft copied from the monthly audit's, published as the programme's version 1.
    page.get_by_role("link", name="No template published yet").click()
    axe(page, "journey-template-list")
    page.get_by_role("button", name="Start a new version").click()
    page.wait_for_url("**/templates/1/edit/")
    page.goto(f"/audits/programmes/{SLUG}/templates/1/")
    page.get_by_role("link", name="Publish version 1").click()
    axe(page, "journey-template-publish")
    page.get_by_role("button", name="Publish version 1").click()
    page.goto(f"/audits/programmes/{SLUG}/")
    expect(page.get_by_role("link", name="No template published yet")).to_have_count(0)


def sample_and_allocate(page, axe, auditor_label: str) -> str:
    """Build the `no_plan` cohort, draw 5, give the first line's child to the auditor, confirm. The child's ref."""
    no_plan = Child.objects.filter(flags__name="no_plan", closed_on__isnull=True).count()
    build_no_plan_cohort_and_draw(page, axe, no_plan=no_plan, draw=5, axe_name="journey-cohort")
    axe(page, "journey-sample")

    # Edit before confirming: the first line's child goes to the demo auditor.
    first = page.locator("#sample tbody tr").first
    child_ref = first.get_by_role("rowheader").inner_text().strip()
    first.get_by_role("link", name=f"Change {child_ref}").click()
    axe(page, "journey-sample-line")
    page.get_by_label("New auditor").select_option(label=auditor_label)
    page.get_by_role("button", name="Reassign").click()
    page.wait_for_url("**/cohort/**")
    row = page.locator("#sample tbody tr").filter(has=page.get_by_role("rowheader", name=child_ref, exact=True))
    expect(row.get_by_role("cell").first).to_have_text(auditor_label.split(" (")[0])

    page.get_by_role("button", name="Confirm and create 5 audits").click()
    expect(page.get_by_text("Confirmed: 5 audits created.")).to_be_visible()
    # Allocated, not yet audited: the share says so (it once said "audited" before any audit was returned).
    expect(page.locator("#sample-share")).to_contain_text(f"5 of {no_plan} children (")
    expect(page.locator("#sample-share")).to_contain_text("in the sample, confirmed: their audits are allocated.")
    axe(page, "journey-sample-confirmed")
    return child_ref


def complete_the_audit(page, axe, child_ref: str, today: datetime.date) -> None:
    page.goto("/audits/mine/")
    axe(page, "journey-my-audits")
    page.get_by_role("link", name=child_ref, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(child_ref)
    page.wait_for_load_state("load")  # htmx binds the autosave trigger on load
    axe(page, "journey-audit-form")
    # The theme is planning: the other practice areas of the programme's questions do not apply.
    for name in PracticeArea.objects.filter(template__programme__slug=SLUG).values_list("name", flat=True):
        group = page.get_by_role("group", name=name, exact=True)
        if name != "Planning":
            group.get_by_label("Not applicable", exact=True).check()
            continue
        group.get_by_label("Good", exact=True).check()
        group.get_by_label("Evidence").fill("The assessment recommended a plan; it was made within the week.")
        group.get_by_label("Impact on the child's lived experience").fill("The family knows what happens next.")
    answer(page, "Overall grade", "Good")
    answer(page, "Did the social worker take part?", "Yes")
    answer(page, "Did the manager take part?", "Yes")
    answer(page, "Were the IRO or CP chair's views obtained?", "Child has no IRO / CP chair")
    answer(page, "Was the child spoken to?", "No")
    answer(page, "Was a parent or carer spoken to?", "No")
    page.get_by_role("textbox", name="Strengths").fill("The assessment is thorough.")
    page.get_by_role("textbox", name="Areas for improvement").fill("Make the plan when the assessment ends.")
    page.get_by_role("button", name="Submit audit").click()
    expect(page.get_by_text(f"Audit submitted on {today.day} {today:%b %Y}.")).to_be_visible()
    axe(page, "journey-audit-submitted")


def test_a_themed_audit_from_its_cohort_to_the_period_report(demo, page, sign_in, axe):
    today = timezone.localdate()
    sign_in("quality")
    create_programme_with_its_questions(page, axe, today)
    auditor = User.objects.get(username="auditor")
    child_ref = sample_and_allocate(page, axe, f"{auditor} (auditor)")

    programme = Programme.objects.get(slug=SLUG)
    audits = Audit.objects.filter(programme=programme)
    assert audits.count() == 5
    assert audits.get(child__case_ref=child_ref).auditor == auditor

    page.context.clear_cookies()
    sign_in("auditor")
    complete_the_audit(page, axe, child_ref, today)
    audit = audits.get(child__case_ref=child_ref)
    assert audit.status == Audit.Status.SUBMITTED and audit.final_grade == "good"

    # The period report for this month, scoped to the programme, counts the returned audit.
    page.context.clear_cookies()
    sign_in("quality")
    page.goto("/reports/period/")
    axe(page, "journey-period-form")
    page.get_by_label("From month").fill(f"{today:%Y-%m}")
    page.get_by_label("To month").fill(f"{today:%Y-%m}")
    page.get_by_label("Programme").select_option(label=NAME)
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page, "journey-period-report")
    by_programme = page.get_by_role("table").filter(has_text="Ratings by programme").first
    row = by_programme.get_by_role("row").filter(has=page.get_by_role("rowheader", name=NAME, exact=True))
    expect(row).to_contain_text("1 (100.0%)")
    row.get_by_role("link", name="1", exact=True).click()  # the Total: the audits behind it
    expect(page.locator("main")).to_contain_text("1 audit matches these filters.")
    expect(page.get_by_role("link", name=child_ref)).to_be_visible()
    axe(page, "journey-period-drilldown")
