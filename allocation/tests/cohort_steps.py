"""Browser steps the cohort's tests share: build a themed programme's cohort from the `no_plan` children and draw
its sample (allocation/tests/test_cohort_browser.py, qa_portal/tests/test_programme_journey_browser.py)."""

from __future__ import annotations

from playwright.sync_api import expect


def build_no_plan_cohort_and_draw(
    page,
    axe,
    *,
    no_plan: int,
    draw: int,
    axe_name: str,
    everyone: int | None = None,
    sample_number: int | None = None,
) -> None:
    """From the programme's page: open its cohort, choose the `no_plan` flag, save the rules (`no_plan` children
    meet them) and draw `draw` of them, again sample `sample_number` if given. axe checks the cohort page as
    `axe_name`; `everyone` is the cohort's size before any rule, when the test knows it."""
    page.get_by_role("link", name="Cohort and sample").click()
    page.wait_for_url("**/cohort/")
    size = page.locator("#cohort-size")
    if everyone is not None:
        expect(size).to_contain_text(f"{everyone} children")
    axe(page, axe_name)
    page.get_by_label("no_plan").check()
    expect(size).to_contain_text(f"{no_plan} children meet these rules (not saved yet)")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_text(f"Saved the cohort's rules: {no_plan} children.")).to_be_visible()

    page.get_by_label("Number of children").fill(str(draw))
    if sample_number is not None:
        page.get_by_text("Advanced: draw an earlier sample again").click()
        page.get_by_label("Sample number").fill(str(sample_number))
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator("#sample-share")).to_contain_text(f"{draw} of {no_plan} children (")
