"""The QA team adds a themed audit in a real browser and finds it on the programme list; axe on each page."""

import pytest
from playwright.sync_api import expect

from people.tests.factories import QualityFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quality_adds_a_themed_audit_and_opens_its_page(page, sign_in, axe):
    QualityFactory(username="quality", first_name="Quinn", last_name="Quality")
    sign_in("quality")
    page.goto("/audits/programmes/")
    page.get_by_role("heading", name="Audit programmes").wait_for()
    axe(page, "programme_list")

    page.get_by_role("link", name="Add a programme").click()
    page.get_by_role("heading", name="Add a programme").wait_for()
    page.get_by_role("button", name="Save the programme").click()  # nothing typed: the error summary
    page.get_by_role("heading", name="There is a problem").wait_for()
    axe(page, "programme_form_errors")

    page.get_by_label("Name").fill("Children coming into care")
    page.get_by_label("Kind").select_option(label="Themed audit")
    page.get_by_label("Starts on").fill("2026-09-01")
    page.get_by_label("Ends on").fill("2026-11-30")
    page.get_by_label("Owner").select_option(label="Quinn Quality")
    page.get_by_label("Moderation rule").select_option(label="Every returned audit")
    page.get_by_label("Findings summary").fill("Plans were **timely**.")
    page.get_by_role("button", name="Save the programme").click()
    page.wait_for_url("**/audits/programmes/children-coming-into-care/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Children coming into care")
    expect(page.locator("strong", has_text="timely")).to_be_visible()
    axe(page, "programme_detail")

    page.get_by_role("link", name="Audit programmes").click()
    page.wait_for_url("**/audits/programmes/")
    expect(page.get_by_role("link", name="Children coming into care")).to_be_visible()
