"""Signing in with the council account in a real browser, through the test provider's own sign-in page."""

import copy

import pytest

from people.tests.factories import QualityFactory
from people.tests.oidc_provider import directory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_signs_in_with_their_council_account_and_out_again_and_a_stranger_is_refused(
    page, single_sign_on, settings, axe
):
    # As a council would run it: passwords for the administrator only, and signing out at the provider too
    # (settings.py lets the sign-out form lead to the provider's origin; the same is done here).
    settings.LOCAL_PASSWORDS = "superusers"
    settings.OIDC_OP_LOGOUT_ENDPOINT = single_sign_on.logout_endpoint
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(single_sign_on.base_url)
    settings.CONTENT_SECURITY_POLICY = policy
    QualityFactory(first_name="Quinn", last_name="Quality", email="quinn.quality@council.example")

    page.goto("/accounts/login/")
    assert not page.get_by_label("Password").is_visible()  # folded away under "Administrators"
    axe(page, "sso-sign-in-page")

    page.get_by_role("link", name="Sign in with your council account").click()
    page.get_by_role("heading", name="Sign in to your council account").wait_for()
    assert page.url.startswith(single_sign_on.base_url + "/login/")
    page.get_by_label("Account name").fill("quinn")
    page.get_by_label("Account password").fill(directory.PASSWORD)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Welcome, Quinn Quality").wait_for()
    assert page.get_by_text("Head of Quality").first.is_visible()
    axe(page, "sso-signed-in-home")

    page.get_by_role("button", name="Sign out").click()
    # The provider asks whether to sign out there as well.
    page.get_by_role("button", name="Logout").click()
    page.get_by_role("link", name="Sign in with your council account").wait_for()
    assert page.url.endswith("/accounts/login/")

    page.get_by_role("link", name="Sign in with your council account").click()
    page.get_by_label("Account name").fill("stranger")
    page.get_by_label("Account password").fill(directory.PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="You are not on the QA Portal's staff list").wait_for()
    assert page.get_by_text("Sam.Stranger@council.example").is_visible()
    axe(page, "sso-refused")

    # "Sign in with a different account" asks the provider for the account again, though it remembers this one.
    page.get_by_role("link", name="Sign in with a different account").click()
    page.get_by_role("heading", name="Sign in to your council account").wait_for()
