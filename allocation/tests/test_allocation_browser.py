"""In a real browser: the Head of Quality proposes and confirms next month; the auditor then sees it on My audits."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from allocation.models import MonthPlan
from audits.models import Audit
from common.periods import add_months, month_start


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_head_of_quality_plans_next_month_and_the_auditor_sees_it(page, sign_in, axe, mailoutbox, settings):
    settings.DEBUG = True  # seed_demo only runs in development.
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    month = add_months(month_start(timezone.localdate()), 1)
    label = f"{month:%B %Y}"

    # The Head of Quality goes from the home panel to next month's (empty) plan and proposes it.
    sign_in("quality")
    page.get_by_role("link", name=f"Plan {label}'s allocation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Allocation for {label}")
    # The proposal number is folded away under "Advanced"; opening it shows the field.
    expect(page.get_by_label("Proposal number")).to_be_hidden()
    page.get_by_text("Advanced: repeat an earlier proposal").click()
    page.get_by_label("Proposal number").fill("2026")
    page.get_by_role("button", name="Propose allocation").click()
    expect(page.get_by_role("status")).to_contain_text(f"for {label} (proposal number 2026)")
    proposal = page.get_by_role("table", name=f"Proposed allocations for {label}")
    expect(proposal).to_be_visible()
    plan = MonthPlan.objects.get(month=month)
    lines = plan.proposals.count()
    assert lines > 0
    expect(proposal.locator("tbody tr")).to_have_count(lines)
    axe(page, "allocation-proposal")

    # A bad hand edit is refused at the field, with the summary linking to it; the page keeps working.
    page.get_by_label("Child's case reference").fill("NO-SUCH-CHILD")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_role("alert")).to_contain_text("There is no child with case reference NO-SUCH-CHILD.")
    page.get_by_role("link", name="There is no child with case reference NO-SUCH-CHILD.").click()
    expect(page.get_by_label("Child's case reference")).to_be_focused()

    # Confirm, on the page that asks first.
    page.get_by_role("link", name="Confirm the allocation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Confirm the allocation for {label}?")
    page.get_by_role("button", name="Confirm and e-mail auditors").click()
    expect(page.get_by_role("status")).to_contain_text(f"Confirmed {lines} allocations for {label}")
    expect(page.locator('[data-count="planned"]')).to_have_text(str(lines))
    expect(page.locator('[data-count="scheduled"]')).to_have_text(str(lines))
    axe(page, "allocation-confirmed")

    mine = Audit.objects.select_related("child").get(month=month, auditor__username="auditor")
    assert any(mine.child.case_ref in message.body for message in mailoutbox)

    # The auditor signs in and finds the new allocation on My audits.
    page.get_by_role("button", name="Sign out").click()
    sign_in("auditor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My audits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My audits")
    row = page.get_by_role("row").filter(has_text=mine.child.case_ref)
    expect(row).to_contain_text(label)
    expect(row).to_contain_text(f"{mine.due_on.day} {mine.due_on:%b %Y}")
    expect(row).to_contain_text("In progress")
    axe(page, "my-audits")
