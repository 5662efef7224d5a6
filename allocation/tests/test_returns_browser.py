"""In a real browser: the Head of Quality chases this month's returns, sorts them, and reminds an auditor once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from allocation.models import ReturnReminder
from audits.models import Audit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_head_of_quality_chases_this_months_returns_and_reminds_an_auditor_once(
    page, sign_in, axe, settings, mailoutbox
):
    settings.DEBUG = True  # seed_demo only runs in development.
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    label = f"{timezone.localdate():%B %Y}"

    sign_in("quality")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="This month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Returns for {label}")
    auditors = page.get_by_role("table", name=f"Returns for {label} by auditor")
    expect(auditors).to_be_visible()
    expect(page.get_by_role("table", name=f"Returns for {label} by the team of the child audited")).to_be_visible()
    # Every child allocated this month is a link to its audit.
    allocated = Audit.objects.filter(month=timezone.localdate().replace(day=1)).count()
    expect(auditors.locator("tbody a")).to_have_count(allocated)
    axe(page, "returns-this-month")

    # Sorting by a column says so to screen readers, and choosing it again reverses it.
    auditors.get_by_role("link", name="Days overdue").click()
    days = page.get_by_role("table", name=f"Returns for {label} by auditor").get_by_role("columnheader").nth(6)
    expect(days).to_have_attribute("aria-sort", "descending")
    days.get_by_role("link").click()
    expect(
        page.get_by_role("table", name=f"Returns for {label} by auditor").get_by_role("columnheader").nth(6)
    ).to_have_attribute("aria-sort", "ascending")
    auditors = page.get_by_role("table", name=f"Returns for {label} by auditor")
    days_cells = auditors.locator("tbody tr td:nth-of-type(6)").all_inner_texts()
    days_overdue = [int(text.split()[0]) if text.split()[0].isdigit() else 0 for text in days_cells]
    assert len(days_overdue) > 1 and days_overdue == sorted(days_overdue)
    axe(page, "returns-sorted")

    # A second tab, opened before the reminder, still offers the button.
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    first_button = auditors.get_by_role("button", name="Send reminder").first
    button_name = first_button.inner_text()
    row_name = first_button.locator("xpath=ancestor::tr/th").inner_text()
    first_button.click()
    expect(page.get_by_role("status")).to_contain_text(f"Reminder sent to {row_name}")
    expect(page.get_by_role("row", name=row_name).get_by_text("Reminded today at")).to_be_visible()
    # The page comes back sorted as it was.
    expect(
        page.get_by_role("table", name=f"Returns for {label} by auditor").get_by_role("columnheader").nth(6)
    ).to_have_attribute("aria-sort", "ascending")
    axe(page, "returns-reminded")

    other_tab.get_by_role("row", name=row_name).get_by_role("button", name=button_name).click()
    expect(other_tab.get_by_role("status")).to_contain_text(f"{row_name} was already reminded today")
    expect(other_tab.get_by_role("status")).to_contain_text("Nothing was sent again")
    assert ReturnReminder.objects.count() == 1
    assert len([m for m in mailoutbox if m.subject.startswith("Reminder:")]) == 1
