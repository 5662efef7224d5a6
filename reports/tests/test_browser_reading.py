"""The report page in a real browser at a desktop and a phone width: wide tables are not cut off, and the
narrative's headings and quotations are styled (issue 10)."""

import datetime

import pytest

from people.tests.factories import QualityFactory
from reports.tests.factories import ReportNarrativeFactory
from reports.tests.test_browser import october_rows
from reports.tests.test_report_reading import FORMATTED
from reports.tests.tracker import load_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCROLL = "el => [el.scrollWidth, el.clientWidth, el.scrollLeft]"


def test_wide_tables_fit_a_desktop_page_and_scroll_by_keyboard_on_a_phone(page, sign_in, axe):
    QualityFactory(username="quality")
    load_rows(october_rows())
    ReportNarrativeFactory(month=datetime.date(2026, 10, 1), executive_summary=FORMATTED)
    sign_in("quality")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/reports/2026/10/")
    returns = page.get_by_role("region", name="Table 8: Returns over twelve months")
    # Desktop: Table 8's nine columns all show; nothing is cut off at a fixed width.
    scroll_width, client_width, _ = returns.evaluate(SCROLL)
    assert scroll_width <= client_width
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The narrative's quotation is set off by a rule, its heading bold.
    quote = page.locator("#summary blockquote")
    assert quote.evaluate("el => getComputedStyle(el).borderLeftWidth") == "4px"
    assert page.locator("#summary h4").evaluate("el => getComputedStyle(el).fontWeight") == "700"

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    returns.wait_for()
    # Phone: the page itself never scrolls sideways; the table scrolls inside its region, reached by Tab.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    scroll_width, client_width, _ = returns.evaluate(SCROLL)
    assert scroll_width > client_width
    returns.focus()
    assert returns.evaluate("el => el === document.activeElement")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('#table-returns').scrollLeft > 0")
    axe(page, "report-detail-390px")
