"""What an auditor hit in their first week, in a real browser: a due date lost after Save draft, an
owner list of 40 names with no type-ahead, error links that left the question's heading off screen,
and no past grades on My audits. axe-core checks every page visited."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from audits.models import Audit
from audits.tests.completion_helpers import audit_with_areas
from audits.tests.factories import AuditFactory
from audits.tests.test_audit_browser import answer, fill_area
from conftest import SCREENSHOT_DIR
from moderation.models import Moderation
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, TeamFactory, UserFactory


def staff_of_a_council(count: int = 42) -> None:
    """A realistic owner list: dozens of staff, two sharing a first name, one with a team."""
    for number in range(count):
        UserFactory(first_name=f"Person{number:02d}", last_name=f"Staff{number:02d}", job_title="Social Worker")
    UserFactory(first_name="Zara", last_name="Hussain", job_title="Social Worker").teams.add(
        TeamFactory(name="Safeguarding South")
    )
    UserFactory(first_name="Zara", last_name="Ahmed", job_title="Team Manager")


def complete_everything_but_actions(page, audit) -> None:
    for area in audit.template.areas.order_by("order"):
        fill_area(page, area.name, grade="Requires Improvement", evidence="The plan drifts.", impact="Delay.")
    answer(page, "Overall grade", "Requires Improvement")
    answer(page, "Did the social worker take part?", "Yes")
    answer(page, "Did the manager take part?", "Yes")
    answer(page, "Were the IRO or CP chair's views obtained?", "Child has no IRO / CP chair")
    answer(page, "Was the child spoken to?", "No")
    answer(page, "Was a parent or carer spoken to?", "No")
    page.get_by_role("textbox", name="Strengths").fill("Warm relationships.")
    page.get_by_role("textbox", name="Areas for improvement").fill("A plan with dates.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_draft_keeps_its_due_date_and_owner_through_save_and_reload_then_submits(page, sign_in, axe):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=40)
    auditor = AuditorFactory(username="auditor", first_name="Ada", last_name="Auditor")
    staff_of_a_council()
    audit = audit_with_areas(areas=2, auditor=auditor, month=today.replace(day=1), due_on=today + datetime.timedelta(4))

    sign_in("auditor")
    page.get_by_role("link", name=f"Complete the audit of {audit.child.case_ref}").click()
    complete_everything_but_actions(page, audit)
    action = page.get_by_role("group", name="Action 1", exact=True)
    action.get_by_label("What needs to happen").fill("Agree a plan with dates")

    # The owner box is a type-ahead: part of a surname finds the person, shown surname first.
    owner = action.get_by_role("combobox", name="Owner")
    owner.fill("huss")
    choice = page.get_by_role("option", name="Hussain, Zara — Social Worker (Safeguarding South)")
    expect(choice).to_be_visible()
    # Within the type-ahead's list: each action row's learning-theme select has options of its own.
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    axe(page, "audit-owner-type-ahead-open")
    choice.click()
    expect(owner).to_have_value("Hussain, Zara — Social Worker (Safeguarding South)")
    action.get_by_label("Due date").fill(due.isoformat())

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved at")).to_be_visible()
    page.reload()

    # After the save and a reload the date is still in the box (it came back blank before) and so is the owner.
    action = page.get_by_role("group", name="Action 1", exact=True)
    expect(action.get_by_label("Due date")).to_have_value(due.isoformat())
    expect(action.get_by_role("combobox", name="Owner")).to_have_value(
        "Hussain, Zara — Social Worker (Safeguarding South)"
    )
    axe(page, "audit-draft-reloaded")

    page.get_by_role("button", name="Submit audit").click()
    expect(page.get_by_text(f"Audit submitted on {today.day} {today:%b %Y}.")).to_be_visible()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SUBMITTED
    saved = Action.objects.select_related("owner").get(audit=audit)
    assert (saved.owner.last_name, saved.due_on) == ("Hussain", due)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_emptied_owner_box_clears_the_owner_so_what_is_saved_is_what_is_seen(page, sign_in):
    today = timezone.localdate()
    auditor = AuditorFactory(username="auditor")
    staff_of_a_council(5)
    audit = audit_with_areas(areas=1, auditor=auditor, month=today.replace(day=1), due_on=today + datetime.timedelta(4))
    sign_in("auditor")
    page.goto(f"/audits/{audit.pk}/edit/")
    action = page.get_by_role("group", name="Action 1", exact=True)
    action.get_by_label("What needs to happen").fill("Visit")
    owner = action.get_by_role("combobox", name="Owner")
    # Hussain, not Ahmed: Ahmed is first on the list, which a faulty "leave the box" might pick.
    owner.fill("Huss")
    page.get_by_role("option", name="Hussain, Zara — Social Worker (Safeguarding South)").click()
    owner.fill("")
    action.get_by_label("What needs to happen").click()  # leave the box
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved at")).to_be_visible()
    audit.refresh_from_db()
    assert not audit.actions.exists()
    assert audit.pending_actions[0].get("owner_id") is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_name_that_looks_like_html_is_shown_as_text_in_the_suggestions(page, sign_in):
    # The library inserts suggestions as HTML: a job title typed with markup must not run or render.
    today = timezone.localdate()
    auditor = AuditorFactory(username="auditor")
    UserFactory(first_name="Eve", last_name="Markup", job_title='<img src=x onerror="window.pwned=1"><b>Boss</b>')
    audit = audit_with_areas(areas=1, auditor=auditor, month=today.replace(day=1), due_on=today + datetime.timedelta(4))
    sign_in("auditor")
    page.goto(f"/audits/{audit.pk}/edit/")
    page.get_by_role("group", name="Action 1", exact=True).get_by_role("combobox", name="Owner").fill("Markup")
    suggestion = page.get_by_role("option", name='Markup, Eve — <img src=x onerror="window.pwned=1"><b>Boss</b>')
    expect(suggestion).to_be_visible()
    assert suggestion.locator("img, b").count() == 0
    assert page.evaluate("window.pwned") is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_owner_list_is_a_select_in_surname_order(chromium_browser, live_server):
    today = timezone.localdate()
    auditor = AuditorFactory(username="auditor")
    staff_of_a_council(3)
    audit = audit_with_areas(areas=1, auditor=auditor, month=today.replace(day=1), due_on=today + datetime.timedelta(4))
    context = chromium_browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("auditor")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/audits/{audit.pk}/edit/")
    owner = page.get_by_role("group", name="Action 1", exact=True).get_by_role("combobox", name="Owner")
    assert owner.evaluate("element => element.tagName") == "SELECT"
    labels = owner.locator("option").all_inner_texts()[1:]
    assert labels == sorted(labels, key=str.casefold)
    assert "Hussain, Zara — Social Worker (Safeguarding South)" in labels
    owner.select_option(label="Ahmed, Zara — Team Manager")
    page.get_by_role("group", name="Action 1", exact=True).get_by_label("What needs to happen").fill("Visit")
    page.get_by_role("group", name="Action 1", exact=True).get_by_label("Due date").fill("2030-01-15")
    page.get_by_role("button", name="Save draft").click()
    assert Action.objects.get(audit=audit).owner.last_name == "Ahmed"
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_error_link_lands_on_the_question_with_its_heading_in_view(page, sign_in, axe):
    today = timezone.localdate()
    auditor = AuditorFactory(username="auditor")
    audit = audit_with_areas(areas=6, auditor=auditor, month=today.replace(day=1), due_on=today + datetime.timedelta(4))
    areas = list(audit.template.areas.order_by("order"))
    sign_in("auditor")
    page.goto(f"/audits/{audit.pk}/edit/")
    page.get_by_role("button", name="Submit audit").click()
    expect(page.get_by_role("alert")).to_contain_text("things to fix")
    axe(page, "audit-errors-inline")

    # The inline error sits above the grades, so every grade, Not applicable too, stays on one line.
    first = page.get_by_role("group", name=areas[0].name, exact=True)
    expect(first.get_by_text(f"{areas[0].name}: choose a grade, or Not applicable.")).to_be_visible()
    tops = {
        label: first.get_by_label(label, exact=True).bounding_box()["y"]
        for label in ("Outstanding", "Good", "Requires Improvement", "Inadequate", "Not applicable")
    }
    assert len(set(tops.values())) == 1, tops
    first.screenshot(path=str(SCREENSHOT_DIR / "audit-grade-error.png"))

    # A summary link for an area far down the page: focus on its first grade, and the area's name in view.
    far = areas[4]
    page.get_by_role("alert").get_by_role("link", name=f"{far.name}: choose a grade, or Not applicable.").click()
    expect(page.get_by_role("group", name=far.name, exact=True).get_by_label("Outstanding", exact=True)).to_be_focused()
    heading = page.locator(f"#area-{far.pk} > legend")
    page.wait_for_function(
        "legend => { const top = legend.getBoundingClientRect().top; return top >= 0 && top < 60; }",
        arg=heading.element_handle(),
    )
    page.screenshot(path=str(SCREENSHOT_DIR / "audit-error-link-landing.png"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_my_audits_shows_past_grades_and_moderation(page, sign_in, axe):
    auditor = AuditorFactory(username="auditor")
    AuditFactory(auditor=auditor, child__case_ref="C-KEPT", returned=True, month=datetime.date(2026, 9, 1))
    ModerationFactory(
        audit__auditor=auditor,
        audit__child__case_ref="C-DOWN",
        audit__month=datetime.date(2026, 10, 1),
        audit__final_grade="inadequate",
        completed=True,
        grade="inadequate",
        outcome=Moderation.Outcome.DOWNGRADED,
    )
    sign_in("auditor")
    page.get_by_role("link", name="My audits").first.click()
    row = page.get_by_role("row", name="C-DOWN")
    expect(row).to_contain_text("Good")
    expect(row).to_contain_text("Inadequate")
    expect(row).to_contain_text("Moderated: downgraded")
    axe(page, "my-audits-with-grades")
