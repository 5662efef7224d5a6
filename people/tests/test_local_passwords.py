"""LOCAL_PASSWORDS="superusers": the password form is for the break-glass administrator; everyone else uses the
council account. Lock-out still guards the form."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from people.oidc import BACKEND_PATH
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db

SUPERUSERS_ONLY = (
    "Only administrators can sign in with a password here. Everyone else signs in with their council account."
)


@pytest.fixture
def superusers_only(settings):
    """As settings.py makes it: single sign-on on (its backend listed), passwords for superusers only."""
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND_PATH]
    settings.LOCAL_PASSWORDS = "superusers"


@pytest.fixture
def administrator():
    return UserFactory(username="breakglass", is_superuser=True, is_staff=True)


def test_by_default_everyone_signs_in_with_a_password(client):
    QualityFactory(username="quality")
    response = client.post(reverse("login"), {"username": "quality", "password": "demo"})
    assert response.status_code == 302 and client.session.get(SESSION_KEY)


def test_the_administrator_still_signs_in_with_a_password(client, superusers_only, administrator):
    response = client.post(reverse("login"), {"username": "breakglass", "password": "demo"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(administrator.pk)


@pytest.mark.parametrize("factory", [QualityFactory, AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory])
@pytest.mark.parametrize("password", ["demo", "wrong"])
def test_everyone_else_is_refused_with_the_same_clear_message_whether_the_password_is_right_or_not(
    client, superusers_only, factory, password
):
    person = factory(username="someone", is_staff=factory is QualityFactory)
    response = client.post(reverse("login"), {"username": "someone", "password": password})
    assert response.status_code == 200
    assert SUPERUSERS_ONLY in response.content.decode()
    assert SESSION_KEY not in client.session
    person.refresh_from_db()
    assert person.last_login is None


def test_an_administrator_who_mistypes_is_told_the_same(client, superusers_only, administrator):
    response = client.post(reverse("login"), {"username": "breakglass", "password": "wrong"})
    assert SUPERUSERS_ONLY in response.content.decode()


def test_the_admin_sign_in_page_refuses_everyone_but_superusers_too(client, superusers_only, administrator):
    QualityFactory(username="hoq", is_staff=True)
    client.post("/admin/login/", {"username": "hoq", "password": "demo", "next": "/admin/"})
    assert SESSION_KEY not in client.session
    client.post("/admin/login/", {"username": "breakglass", "password": "demo", "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_password_sessions_of_everyone_else_end_when_passwords_are_turned_off(client, settings):
    client.force_login(QualityFactory(), backend="people.backends.LocalPasswordBackend")
    assert client.get("/").status_code == 200

    settings.OIDC_ENABLED = True
    settings.LOCAL_PASSWORDS = "superusers"

    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_lock_out_still_applies_to_the_password_form(client, settings, superusers_only, administrator):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    QualityFactory(username="someone")
    for _ in range(3):
        client.post(reverse("login"), {"username": "someone", "password": "demo"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(reverse("login"), {"username": "someone", "password": "demo"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()

    # The administrator's own account locks too (from another address, so the address's lock-out plays no part).
    for _ in range(3):
        client.post(reverse("login"), {"username": "breakglass", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    response = client.post(reverse("login"), {"username": "breakglass", "password": "demo"}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429


def test_the_sign_in_page_puts_the_council_account_first_and_the_password_form_for_administrators(
    client, superusers_only
):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with your council account" in page
    assert "<summary>Administrators: sign in with a password</summary>" in page
    assert page.index("Sign in with your council account") < page.index('name="password"')


def test_the_account_page_offers_a_password_change_only_to_those_who_may_use_a_password(
    client, superusers_only, administrator
):
    client.force_login(QualityFactory(email="quinn.quality@council.example"), backend=BACKEND_PATH)
    page = client.get(reverse("people:profile")).content.decode()
    assert reverse("password_change") not in page
    assert "You sign in with your council account" in page
    assert "quinn.quality@council.example" in page

    client.force_login(administrator)
    assert reverse("password_change") in client.get(reverse("people:profile")).content.decode()


def test_by_default_everyone_may_change_their_password(client):
    client.force_login(AuditorFactory())
    assert reverse("password_change") in client.get(reverse("people:profile")).content.decode()
