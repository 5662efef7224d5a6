"""Good practice in a real browser on the demo authority (issue 14): the QA officer opens a Good audit of last
month, records what the social worker says made the difference with two themes (after the form's error), finds
it on the audit and in the monthly report's "What made the difference", and follows its link back. axe-core
checks each page."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import GOOD_PRACTICE_GRADES, Audit, GoodPractice
from common.periods import add_months, month_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = "Weekly direct work with the young person, at the times that suited them."


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)


def test_the_quality_officer_records_good_practice_and_finds_it_in_the_report(demo, page, sign_in, axe):
    last_month = add_months(month_start(timezone.localdate()), -1)
    audit = (
        Audit.objects.returned()
        .filter(month=last_month, final_grade__in=GOOD_PRACTICE_GRADES, good_practice__isnull=True)
        .select_related("team", "child")
        .order_by("pk")
        .first()
    )
    sign_in("quality")
    page.goto(f"/audits/{audit.pk}/")
    page.get_by_role("link", name="Record good practice").click()
    page.get_by_role("button", name="Save good practice").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Write what the social worker says made the difference.")
    axe(page, "good-practice-form-error")

    page.get_by_label("What the social worker says made the difference").fill(WORDS)
    themes = page.get_by_role("group", name="Learning themes this practice shows")
    themes.get_by_role("checkbox", name="Direct work").check()
    themes.get_by_role("checkbox", name="Voice of the child").check()
    page.get_by_role("button", name="Save good practice").click()
    page.get_by_text("Good practice saved").wait_for()
    section = page.get_by_role("region", name="Good practice: what made the difference")
    expect(section).to_contain_text(WORDS)
    expect(section).to_contain_text("Direct work; Voice of the child")
    axe(page, "good-practice-on-the-audit")
    record = GoodPractice.objects.get(audit=audit)
    assert sorted(record.themes.values_list("name", flat=True)) == ["Direct work", "Voice of the child"]

    page.goto(f"/reports/{last_month.year}/{last_month.month}/#good-practice")
    entry = page.locator(".report-good-practice li", has_text=WORDS)
    expect(entry).to_contain_text(audit.team.name)
    expect(entry).to_contain_text("Direct work; Voice of the child")
    expect(entry).not_to_contain_text(audit.child.case_ref)
    axe(page, "good-practice-in-the-report")
    entry.get_by_role("link", name="open the audit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(audit.child.case_ref)
