"""In a real browser: the exemption form shows only the fields of the kind chosen, and works without JavaScript."""

import pytest
from playwright.sync_api import expect

from allocation.models import Exemption
from people.tests.factories import AuditorFactory, QualityFactory


@pytest.fixture
def people(transactional_db):
    QualityFactory(username="quality")
    return AuditorFactory(username="asmith", first_name="Alex", last_name="Smith")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_exemption_form_shows_the_fields_of_the_kind_chosen(page, sign_in, axe, people):
    sign_in("quality")
    page.goto("/audits/exemptions/new/")
    month = page.get_by_label("Month", exact=True)
    starts, ends = page.get_by_label("Starts on"), page.get_by_label("Ends on")

    # Single month is chosen first: its month shows; a standing exemption's dates do not.
    expect(page.get_by_label("Single month")).to_be_checked()
    expect(month).to_be_visible()
    expect(starts).to_be_hidden()
    expect(ends).to_be_hidden()
    axe(page, "exemption-form-single-month")

    page.get_by_label("Standing", exact=True).check()
    expect(month).to_be_hidden()
    expect(starts).to_be_visible()
    expect(ends).to_be_visible()
    expect(page.get_by_role("group", name="For a standing exemption")).to_be_visible()
    axe(page, "exemption-form-standing")

    # A standing exemption until withdrawn; what it covers then reads as a sentence on the list.
    page.get_by_label("Person").select_option(label="Alex Smith (asmith)")
    page.get_by_label("Reason").select_option(label="Extended absence")
    page.get_by_role("button", name="Grant exemption").click()
    expect(page.get_by_role("status")).to_contain_text("Exemption granted to Alex Smith.")
    exemption = Exemption.objects.get()
    assert exemption.kind == "standing" and exemption.ends_on is None
    listing = page.get_by_role("table", name="Exemptions, active first, newest first")
    expect(listing.get_by_role("row", name="Alex Smith")).to_contain_text(
        f"From {exemption.starts_on.day} {exemption.starts_on:%b %Y} until withdrawn"
    )
    axe(page, "exemption-list")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_the_script_every_field_shows_under_its_kind_and_errors_link_to_them(page, sign_in, axe, people):
    # The form's script never arrives (blocked, failed, or an old browser). axe-core is itself JavaScript, so the
    # page keeps JavaScript on and only the form's own script is refused.
    page.route("**/allocation/exemption_form.js", lambda route: route.abort())
    sign_in("quality")
    page.goto("/audits/exemptions/new/")

    for group, field in (("For a single-month exemption", "Month"), ("For a standing exemption", "Starts on")):
        expect(page.get_by_role("group", name=group).get_by_label(field, exact=True)).to_be_visible()
    axe(page, "exemption-form-no-js")

    # A single-month exemption with no month and a month far off: the message is at the field.
    page.get_by_label("Person").select_option(label="Alex Smith (asmith)")
    page.get_by_label("Reason").select_option(label="Other QA activity")
    page.get_by_label("Month", exact=True).fill("9999-12")
    page.get_by_label("Approving director").fill("Director of Children's Services")
    page.get_by_role("button", name="Grant exemption").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a month from")
    page.get_by_role("link", name="Enter a month from").click()
    expect(page.get_by_label("Month", exact=True)).to_be_focused()
    axe(page, "exemption-form-no-js-error")
    assert not Exemption.objects.exists()
