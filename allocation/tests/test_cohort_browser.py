"""A themed audit in a real browser: the QA team adds it, builds its cohort from the `no_plan` children (the size
updating as the rules change), draws and confirms a sample; an auditor completes one of its audits. axe on the
new pages."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from allocation.tests.cohort_steps import build_no_plan_cohort_and_draw
from audits.models import Audit, PracticeArea, Programme, TemplateVersion
from caseload.models import Flag, LegalStatus
from caseload.tests.factories import ChildFactory
from people.tests.factories import AuditorFactory, QualityFactory, TeamFactory


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quality_samples_a_no_plan_cohort_and_an_auditor_completes_one(page, sign_in, axe):
    today = timezone.localdate()
    QualityFactory(username="quality", first_name="Quinn", last_name="Quality")
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    AuditorFactory(username="auditor", first_name="Ada", last_name="Auditor", teams=[south])
    no_plan, _ = Flag.objects.get_or_create(name="no_plan")
    for i in range(10):
        child = ChildFactory(case_ref=f"NP{i:03d}", team=north, legal_status=LegalStatus.CIN)
        if i < 6:
            child.flags.add(no_plan)

    sign_in("quality")
    page.goto("/audits/programmes/new/")
    page.get_by_label("Name").fill("Children open with no current plan")
    page.get_by_label("Kind").select_option(label="Themed audit")
    page.get_by_label("Starts on").fill(today.replace(day=1).isoformat())
    page.get_by_label("Ends on").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save the programme").click()
    page.wait_for_url("**/audits/programmes/children-open-with-no-current-plan/")
    # The programme's own questions (the template editor has its own browser test).
    programme = Programme.objects.get(slug="children-open-with-no-current-plan")
    template = TemplateVersion.objects.create(programme=programme, number=1, is_current=True)
    PracticeArea.objects.create(template=template, slug="plan", name="Why there is no plan", order=1)

    build_no_plan_cohort_and_draw(page, axe, everyone=10, no_plan=6, draw=3, sample_number=7, axe_name="cohort")
    expect(page.locator("#sample-share")).to_contain_text("3 of 6 children (50.0 %)")
    expect(page.get_by_role("cell", name="Ada Auditor")).to_have_count(3)
    axe(page, "cohort-sample")
    page.get_by_role("button", name="Confirm and create 3 audits").click()
    expect(page.get_by_text("Confirmed: 3 audits created.")).to_be_visible()
    expect(page.locator("#sample-share")).to_contain_text("3 of 6 children (50.0 %) in the sample, confirmed")

    # The auditor finds the audit in My audits and completes it.
    page.context.clear_cookies()
    sign_in("auditor")
    audit = Audit.objects.filter(programme=programme).order_by("child__case_ref").first()
    page.goto("/audits/mine/")
    page.get_by_role("link", name=audit.child.case_ref).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(audit.child.case_ref)
    area = page.get_by_role("group", name="Why there is no plan", exact=True)
    area.get_by_label("Good", exact=True).check()
    area.get_by_label("Evidence").fill("The assessment is on file; the plan is booked.")
    area.get_by_label("Impact on the child's lived experience").fill("The family knows what happens next.")
    answer(page, "Overall grade", "Good")
    answer(page, "Did the social worker take part?", "Yes")
    answer(page, "Did the manager take part?", "Yes")
    answer(page, "Were the IRO or CP chair's views obtained?", "Child has no IRO / CP chair")
    answer(page, "Was the child spoken to?", "No")
    answer(page, "Was a parent or carer spoken to?", "No")
    page.get_by_role("textbox", name="Strengths").fill("Clear reasons recorded.")
    page.get_by_role("textbox", name="Areas for improvement").fill("Set the plan's date at the assessment.")
    page.get_by_role("button", name="Submit audit").click()
    expect(page.get_by_text(f"Audit submitted on {today.day} {today:%b %Y}.")).to_be_visible()

    audit.refresh_from_db()
    assert audit.status == Audit.Status.SUBMITTED and audit.final_grade == "good"
    assert audit.programme == programme
