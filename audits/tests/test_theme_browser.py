"""Learning themes in a real browser: the auditor ticks two themes beside the text, saves, and finds them
still ticked; the QA team's themes page. axe-core checks each page (issue 14)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import AuditTheme
from audits.tests.completion_helpers import audit_with_areas
from people.tests.factories import AuditorFactory, QualityFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_auditor_ticks_two_themes_saves_and_they_stay_ticked(page, sign_in, axe):
    today = timezone.localdate()
    auditor = AuditorFactory(username="auditor")
    audit = audit_with_areas(areas=1, auditor=auditor, month=today.replace(day=1), due_on=today + datetime.timedelta(9))

    sign_in("auditor")
    page.goto(f"/audits/{audit.pk}/edit/")
    improvement = page.get_by_role("group", name="Themes needing improvement")
    strengths = page.get_by_role("group", name="Themes done well (strengths)")
    improvement.get_by_role("checkbox", name="Chronologies").check()
    strengths.get_by_role("checkbox", name="Voice of the child").check()
    axe(page, "audit-themes-ticked")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved at").wait_for()

    improvement = page.get_by_role("group", name="Themes needing improvement")
    strengths = page.get_by_role("group", name="Themes done well (strengths)")
    expect(improvement.get_by_role("checkbox", name="Chronologies")).to_be_checked()
    expect(strengths.get_by_role("checkbox", name="Voice of the child")).to_be_checked()
    expect(strengths.get_by_role("checkbox", name="Chronologies")).not_to_be_checked()
    assert set(AuditTheme.objects.filter(audit=audit).values_list("theme__name", "kind")) == {
        ("Chronologies", "improvement"),
        ("Voice of the child", "strength"),
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_qa_team_adds_and_retires_a_theme(page, sign_in, axe):
    QualityFactory(username="quality")
    sign_in("quality")
    page.get_by_role("link", name="Themes").click()
    page.get_by_role("heading", name="Learning themes").wait_for()
    axe(page, "themes-list")
    page.get_by_label("Name").fill("Recording of visits")
    page.get_by_role("button", name="Add theme").click()
    page.get_by_text('Theme "Recording of visits" added').wait_for()
    page.get_by_role("button", name="Retire Recording of visits").click()
    page.get_by_text("Retired themes").wait_for()
    expect(page.get_by_role("button", name="Bring back Recording of visits")).to_be_visible()
    axe(page, "themes-list-retired")
