"""The demo's Head of Quality in a real browser: the report says its figures against the targets, and the
targets page changes them, with an error summary for a refused value; axe-core checks both pages."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)


def test_the_head_of_quality_reads_the_figures_against_the_targets_and_changes_one(demo, page, sign_in, axe):
    sign_in("quality")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("region", name="Recent months").get_by_role("link").first.click()
    targets = page.locator("#targets")
    expect(targets.get_by_role("heading", name="Figures against targets")).to_be_visible()
    expect(
        targets.get_by_text(re.compile(r"^Return rate .* target 90\s%, (met|[\d.]+ points? below)\.$"))
    ).to_be_visible()
    expect(targets.get_by_text(re.compile(r"^Inadequate .* target below 10\s%"))).to_be_visible()
    expect(targets.get_by_text(re.compile(r"^Audits per team: \d+ of \d+ teams"))).to_be_visible()
    expect(targets.get_by_text(re.compile(r"^Moderator effect .* target 10–15\s%"))).to_be_visible()
    expect(targets.get_by_text(re.compile(r"^Actions completed on time .* target 80\s%"))).to_be_visible()
    # The return-rate chart draws its target and its caption says it.
    expect(page.locator(".report-figure-return_rate figcaption")).to_contain_text("target return rate: 90")
    expect(page.get_by_role("region", name=re.compile("Representation by team"))).to_be_visible()
    axe(page, "report-with-targets")

    targets.get_by_role("link", name="Change the targets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report targets")
    expect(page.get_by_label("Return rate (%)")).to_have_value("90.0")
    axe(page, "report-targets")

    page.get_by_label("Return rate (%)").fill("120")
    page.get_by_role("button", name="Save targets").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Return rate (%): Enter a percentage from 0 to 100.")
    axe(page, "report-targets-error")

    page.get_by_label("Return rate (%)").fill("95")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved.")).to_be_visible()
    page.get_by_role("link", name="QA reports", exact=True).first.click()
    page.get_by_role("region", name="Recent months").get_by_role("link").first.click()
    expect(page.locator("#targets").get_by_text(re.compile(r"^Return rate .* target 95\s%"))).to_be_visible()
