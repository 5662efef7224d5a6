"""The demo authority in a real browser under the Content-Security-Policy: the report's charts draw,
the audit form autosaves, error summaries take the focus, and Print prints. The shared `page`
fixture fails any of these tests on a policy violation reported in the browser's console."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from audits.models import Audit
from conftest import CHROMIUM_ARGS, is_policy_violation
from people.tests.factories import QualityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fixture_recognises_how_chromium_reports_a_blocked_inline_script(chromium_browser):
    """If Chromium's wording changed, the `page` fixture's check would silently pass everything."""
    assert CHROMIUM_ARGS  # the same browser the fixture uses
    context = chromium_browser.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.set_content(
        "<!doctype html><meta http-equiv='Content-Security-Policy' content=\"script-src 'self'\">"
        "<script>document.title = 'ran'</script><p>test</p>"
    )
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    context.close()
    assert any(is_policy_violation(text) for text in messages), messages


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)


def test_the_report_draws_its_charts_and_the_admin_works_under_the_policy(demo, page, sign_in, axe):
    sign_in("quality")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("region", name="Recent months").get_by_role("link").first.click()
    # Each chart is its own SVG file in an <img> (loaded lazily: each is scrolled to before it is measured).
    charts = page.locator("img.report-chart")
    expect(charts.first).to_be_visible()
    # The first chart shows while the long page is still being parsed: count them once it has loaded.
    page.wait_for_load_state("load")
    assert charts.count() >= 5
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0  # loaded and drawn
        assert chart.get_attribute("alt")
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150
    charts.first.screenshot(path="test-artifacts/csp-report-chart.png")
    # pygal's own <style> applies under the chart file's policy: its bars are filled with the grade colours.
    report = page.url
    page.goto(charts.first.get_attribute("src"))
    fills = page.locator(".series rect, .series path").evaluate_all(
        "nodes => nodes.slice(0, 20).map(n => getComputedStyle(n).fill)"
    )
    assert fills and any(fill not in ("rgb(0, 0, 0)", "none") for fill in fills), fills
    page.goto(report)

    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("link", name="auditor", exact=True).click()
    expect(page.get_by_label("Username")).to_have_value("auditor")
    page.screenshot(path="test-artifacts/csp-admin-user.png", full_page=False)


def test_send_back_errors_take_the_focus_and_print_prints_under_the_policy(demo, page, sign_in, axe):
    submitted = Audit.objects.filter(status=Audit.Status.SUBMITTED).order_by("pk").first()
    # window.print would open a dialog a headless browser cannot close; record the call instead.
    page.add_init_script("window.print = () => { window.printed = true; };")
    sign_in("quality")
    page.goto(f"/audits/{submitted.pk}/")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed === true")
    page.get_by_role("link", name="Send back as not meeting the standard").click()
    page.get_by_role("button", name="Send back").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    axe(page, "csp-send-back-with-errors")


def test_the_audit_form_autosaves_and_focuses_its_errors_under_the_policy(demo, page, sign_in, axe):
    sign_in("auditor")
    page.get_by_role("link", name="Complete the audit of").first.click()
    # htmx binds the autosave trigger once the page has loaded; under load a fill can come before it.
    page.wait_for_load_state("load")
    page.get_by_role("textbox", name="Strengths").fill("Visits are regular and purposeful.")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15000)
    page.route("**/autosave/", lambda route: route.fulfill(status=500, body="down"))
    page.get_by_role("textbox", name="Strengths").fill("Visits are regular.")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved: the server could not save the draft")
    page.unroute("**/autosave/")
    page.get_by_role("button", name="Submit audit").click()
    summary = page.get_by_role("alert").filter(has_text="to fix")
    expect(summary).to_be_focused()
    page.screenshot(path="test-artifacts/csp-audit-form-errors.png", full_page=False)


def test_on_a_phone_the_main_menu_folds_behind_a_button(page, sign_in, axe):
    QualityFactory(username="quality")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("quality")
    page.get_by_role("heading", level=1).first.wait_for()

    menu = page.get_by_role("button", name="Menu")
    actions = page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(actions).to_be_hidden()
    axe(page, "nav-phone-folded")

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(actions).to_be_visible()
    axe(page, "nav-phone-open")
    actions.click()
    page.get_by_role("heading", name="Action tracker").wait_for()

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions", exact=True)).to_be_visible()
