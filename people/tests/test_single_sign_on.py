"""Single sign-on end to end, against a real OpenID Connect provider (people/tests/oidc_provider) on loopback.

The portal is driven with Django's test client; the person's browser at the provider is `provider_browser`
(real HTTP, the provider's own sign-in form). Attacks on the answer from the token endpoint go through
`token_interceptor`, which passes the portal's call on to the provider and changes what comes back.
"""

import datetime
import logging
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.test import Client
from django.urls import reverse

from people.models import User
from people.oidc import BACKEND_PATH
from people.tests.conftest import ProviderBrowser
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    TeamFactory,
    UserFactory,
)
from people.tests.oidc_provider import directory

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/oidc/callback/"


def start_sign_in(client: Client, query: str = "") -> str:
    """Press "Sign in with your council account": the address of the provider's authorisation request."""
    response = client.get(reverse("oidc_start") + query)
    assert response.status_code == 302
    return response.url


def sign_in_through_provider(client: Client, browser, username: str, query: str = ""):
    """The whole journey: start at the portal, sign in at the provider, come back. The portal's last answer."""
    back = browser.authorize(start_sign_in(client, query), username)
    assert back.startswith(CALLBACK)
    return client.get(back)


def signed_in_user_id(client: Client):
    return client.session.get(SESSION_KEY)


def assert_not_signed_in(client: Client) -> None:
    assert signed_in_user_id(client) is None
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def nonce_of(authorization_url: str) -> str:
    return parse_qs(urlsplit(authorization_url).query)["nonce"][0]


# The sign-in page and the authorisation request


def test_the_sign_in_page_offers_the_council_account_only_when_single_sign_on_is_on(client, settings, oidc_provider):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with your council account" not in page

    settings.OIDC_ENABLED = True
    page = client.get(reverse("login") + "?next=/people/me/").content.decode()
    assert "Sign in with your council account" in page
    assert 'href="/accounts/oidc/start/?next=/people/me/"' in page
    assert 'name="password"' in page  # passwords stay for everyone by default


def test_with_single_sign_on_off_its_addresses_lead_to_the_sign_in_page(client):
    for name in ("oidc_start", "oidc_callback"):
        response = client.get(reverse(name) + "?code=abc&state=def")
        assert response.status_code == 302 and response.url == reverse("login")


def test_the_authorisation_request_carries_state_nonce_and_pkce(client, single_sign_on):
    url = start_sign_in(client)
    assert url.startswith(single_sign_on.authorization_endpoint + "?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == directory.PORTAL_CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32 and query["code_challenge"]
    assert "prompt" not in query
    # "Sign in with a different account" asks the provider for the account again.
    assert parse_qs(urlsplit(start_sign_in(client, "?prompt=login")).query)["prompt"] == ["login"]


def test_the_test_provider_signs_its_id_tokens_as_entra_does(
    client, single_sign_on, provider_browser, token_interceptor
):
    """RS256, with the key named (`kid`) in the provider's JWKS, and the claims Entra sends."""
    QualityFactory(email="quinn.quality@council.example")
    sign_in_through_provider(client, provider_browser, "quinn")
    id_token = token_interceptor.answers[-1]["id_token"]

    header = jwt.get_unverified_header(id_token)
    keys = requests.get(single_sign_on.jwks_endpoint, timeout=30).json()["keys"]
    assert header["alg"] == "RS256"
    assert [(key["kid"], key["kty"], key["alg"]) for key in keys] == [(header["kid"], "RSA", "RS256")]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert claims["iss"] == single_sign_on.issuer and claims["aud"] == directory.PORTAL_CLIENT_ID
    assert {"sub", "exp", "iat", "nonce", "email", "name", "roles"} <= set(claims)


# Good sign-ins


def test_a_person_on_the_staff_list_signs_in_and_lands_on_their_home_page(client, single_sign_on, provider_browser):
    quinn = QualityFactory(first_name="Quinn", email="quinn.quality@council.example")

    response = sign_in_through_provider(client, provider_browser, "quinn")

    assert response.status_code == 302 and response.url == reverse("home")
    assert signed_in_user_id(client) == str(quinn.pk)
    assert client.session[BACKEND_SESSION_KEY] == BACKEND_PATH
    assert "Welcome, Quinn" in client.get("/").content.decode()


def test_the_page_asked_for_before_signing_in_is_where_the_person_lands(client, single_sign_on, provider_browser):
    AuditorFactory(email="aidan.auditor@council.example")
    response = sign_in_through_provider(client, provider_browser, "aidan", "?next=/people/me/")
    assert response.url == "/people/me/"


def test_a_next_address_on_another_site_is_ignored(client, single_sign_on, provider_browser):
    AuditorFactory(email="aidan.auditor@council.example")
    response = sign_in_through_provider(client, provider_browser, "aidan", "?next=https://evil.example/")
    assert response.url == reverse("home")


def _account_snapshot(user: User) -> dict:
    user.refresh_from_db()
    return {
        "fields": {
            field: getattr(user, field)
            for field in (
                "username",
                "first_name",
                "last_name",
                "email",
                "job_title",
                "is_active",
                "is_staff",
                "is_superuser",
                "is_auditor",
                "is_moderator",
                "is_quality",
                "is_manager",
                "fte",
                "audits_per_month",
                "audit_frequency",
                "password",
            )
        },
        "teams": sorted(user.teams.values_list("pk", flat=True)),
        "groups": sorted(user.groups.values_list("pk", flat=True)),
        "permissions": sorted(user.user_permissions.values_list("pk", flat=True)),
    }


@pytest.mark.parametrize(
    "factory, username, email, panels",
    [
        (QualityFactory, "quinn", "quinn.quality@council.example", ["home-quality"]),
        (AuditorFactory, "aidan", "AIDAN.AUDITOR@council.example", ["home-auditor"]),
        (ModeratorFactory, "mo", "mo.moderator@council.example", ["home-moderator"]),
        (ManagerFactory, "mani", "mani.manager@COUNCIL.EXAMPLE", ["home-manager"]),
        (UserFactory, "nell", "nell.norole@council.example", []),
        (
            lambda **kw: UserFactory(is_superuser=True, is_staff=True, **kw),
            "root",
            "ruth.root@council.example",
            [],
        ),
    ],
    ids=["quality", "auditor", "moderator", "manager", "no-role", "superuser"],
)
def test_signing_in_changes_nothing_on_the_staff_record_whatever_the_role(
    client, single_sign_on, provider_browser, factory, username, email, panels
):
    """The token names the person differently and carries Entra app roles; the staff list's values stand."""
    person = factory(first_name="Staff", last_name="Record", email=email, teams=[TeamFactory(), TeamFactory()])
    bystander = QualityFactory(email="someone.else@council.example")
    before, bystander_before, people_before = (
        _account_snapshot(person),
        _account_snapshot(bystander),
        User.objects.count(),
    )

    response = sign_in_through_provider(client, provider_browser, username)

    assert response.status_code == 302 and signed_in_user_id(client) == str(person.pk)
    assert _account_snapshot(person) == before
    assert _account_snapshot(bystander) == bystander_before
    assert User.objects.count() == people_before
    home = client.get("/").content.decode()
    assert "Welcome, Staff" in home
    for panel in ("home-quality", "home-auditor", "home-moderator", "home-manager"):
        assert (f'id="{panel}"' in home) == (panel in panels), panel


# People the staff list does not let in


def test_someone_the_staff_list_does_not_know_is_refused_and_nothing_is_created(
    client, single_sign_on, provider_browser
):
    QualityFactory(email="quinn.quality@council.example")
    people_before = User.objects.count()

    response = sign_in_through_provider(client, provider_browser, "stranger")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You are not on the QA Portal's staff list" in page
    # So they can see which account they used (the provider keeps the domain in lower case, as Django does).
    assert "Sam.Stranger@council.example" in page
    assert 'href="/accounts/oidc/start/?prompt=login"' in page
    assert User.objects.count() == people_before
    assert_not_signed_in(client)


def test_someone_the_staff_list_has_made_inactive_is_refused(client, single_sign_on, provider_browser):
    leaver = UserFactory(email="lee.leaver@council.example", is_active=False, is_auditor=True)

    response = sign_in_through_provider(client, provider_browser, "leaver")

    assert response.status_code == 403
    assert "Your QA Portal account is not active" in response.content.decode()
    assert_not_signed_in(client)
    leaver.refresh_from_db()
    assert leaver.is_active is False


def test_an_address_on_two_staff_records_is_refused(client, single_sign_on, provider_browser):
    UserFactory(email="shared.mailbox@council.example")
    UserFactory(email="SHARED.MAILBOX@council.example")

    response = sign_in_through_provider(client, provider_browser, "twin")

    assert response.status_code == 403
    assert "Your e-mail address is on more than one staff record" in response.content.decode()
    assert_not_signed_in(client)


def test_an_account_without_an_e_mail_address_is_refused_even_with_blank_addresses_on_the_staff_list(
    client, single_sign_on, provider_browser
):
    UserFactory(email="")

    response = sign_in_through_provider(client, provider_browser, "nomail")

    assert response.status_code == 403
    assert "Your council account did not give an e-mail address" in response.content.decode()
    assert_not_signed_in(client)


def test_a_person_made_inactive_after_signing_in_is_signed_out_at_their_next_request(
    client, single_sign_on, provider_browser
):
    person = AuditorFactory(email="aidan.auditor@council.example")
    sign_in_through_provider(client, provider_browser, "aidan")
    assert client.get("/").status_code == 200

    User.objects.filter(pk=person.pk).update(is_active=False)

    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# Tokens the portal must not accept


def test_an_id_token_issued_to_another_application_is_refused(
    client, single_sign_on, provider_browser, token_interceptor, caplog
):
    """A genuine token from the same provider, for the same person, with the nonce this sign-in expects: only
    its audience is wrong."""
    QualityFactory(email="quinn.quality@council.example")
    authorization_url = start_sign_in(client)
    back = provider_browser.authorize(authorization_url, "quinn")
    foreign = provider_browser.id_token_for_another_application("quinn", nonce=nonce_of(authorization_url))
    assert jwt.decode(foreign, options={"verify_signature": False})["aud"] == directory.OTHER_CLIENT_ID
    token_interceptor.rewrite = lambda answer: {**answer, "id_token": foreign}

    with caplog.at_level(logging.WARNING, logger="people.oidc"):
        response = client.get(back)

    assert response.status_code == 400
    assert "Sign-in was not completed" in response.content.decode()
    assert "Audience doesn't match" in caplog.text
    assert_not_signed_in(client)


def _resigned(id_token: str, *, key, algorithm: str = "RS256", kid: str | None = None) -> str:
    header = jwt.get_unverified_header(id_token)
    claims = jwt.decode(id_token, options={"verify_signature": False})
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid or header["kid"]})


ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    "forge, logged",
    [
        # The provider's key id, the attacker's key: the signature does not verify.
        (lambda token: _resigned(token, key=ATTACKER_KEY), "JWS token verification failed"),
        # The attacker's own key id: the provider's JWKS has no such key.
        (lambda token: _resigned(token, key=ATTACKER_KEY, kid="attacker-key"), "Could not find a valid JWKS"),
        # HMAC with the client secret instead of the provider's RSA key (algorithm confusion).
        (
            lambda token: _resigned(token, key=directory.PORTAL_CLIENT_SECRET.encode(), algorithm="HS256"),
            "Could not find a valid JWKS",
        ),
    ],
    ids=["attacker-key-provider-kid", "attacker-key-own-kid", "hs256-with-client-secret"],
)
def test_an_id_token_signed_with_another_key_is_refused(
    client, single_sign_on, provider_browser, token_interceptor, caplog, forge, logged
):
    """Every claim is right (audience, issuer, nonce, person): only the signature is not the provider's."""
    QualityFactory(email="quinn.quality@council.example")
    token_interceptor.rewrite = lambda answer: {**answer, "id_token": forge(answer["id_token"])}

    with caplog.at_level(logging.WARNING, logger="people.oidc"):
        response = sign_in_through_provider(client, provider_browser, "quinn")

    assert response.status_code == 400
    assert logged in caplog.text
    assert_not_signed_in(client)


def test_an_id_token_from_another_issuer_is_refused(client, single_sign_on, provider_browser, settings, caplog):
    """The portal is set up for one tenant; a token signed by the right keys but naming another issuer fails."""
    settings.OIDC_OP_ISSUER = "https://login.microsoftonline.com/another-tenant/v2.0"
    QualityFactory(email="quinn.quality@council.example")

    with caplog.at_level(logging.WARNING, logger="people.oidc"):
        response = sign_in_through_provider(client, provider_browser, "quinn")

    assert response.status_code == 400
    assert "Invalid issuer" in caplog.text
    assert_not_signed_in(client)


def test_an_expired_id_token_is_refused(client, single_sign_on, provider_browser, time_machine, caplog):
    """The provider's ID tokens last five minutes; the portal's clock reads six minutes later when it checks."""
    QualityFactory(email="quinn.quality@council.example")
    back = provider_browser.authorize(start_sign_in(client), "quinn")
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=6), tick=True)

    with caplog.at_level(logging.WARNING, logger="people.oidc"):
        response = client.get(back)

    assert response.status_code == 400
    assert "Signature has expired" in caplog.text
    assert_not_signed_in(client)


def test_a_replayed_id_token_is_refused_by_its_nonce(
    client, single_sign_on, provider_browser, token_interceptor, caplog
):
    """A genuine, unexpired token from an earlier sign-in, put into a new one's answer."""
    QualityFactory(email="quinn.quality@council.example")
    sign_in_through_provider(client, provider_browser, "quinn")
    earlier = token_interceptor.answers[-1]["id_token"]
    client.post(reverse("logout"))

    token_interceptor.rewrite = lambda answer: {**answer, "id_token": earlier}
    with caplog.at_level(logging.WARNING, logger="people.oidc"):
        response = sign_in_through_provider(client, provider_browser, "quinn")

    assert response.status_code == 400
    assert "JWT Nonce verification failed" in caplog.text
    assert_not_signed_in(client)


def test_a_replayed_callback_is_refused_once_its_state_is_used(client, single_sign_on, provider_browser, caplog):
    QualityFactory(email="quinn.quality@council.example")
    back = provider_browser.authorize(start_sign_in(client), "quinn")
    assert client.get(back).status_code == 302
    client.post(reverse("logout"))

    with caplog.at_level(logging.WARNING, logger="people.oidc"):
        response = client.get(back)

    assert response.status_code == 400
    assert "Sign-in was not completed" in response.content.decode()
    assert_not_signed_in(client)


def test_a_callback_taken_to_another_browser_is_refused(client, single_sign_on, provider_browser):
    """The state belongs to the session that started the sign-in: an attacker cannot plant their own sign-in in
    someone else's browser, nor use a victim's code in theirs."""
    QualityFactory(email="quinn.quality@council.example")
    back = provider_browser.authorize(start_sign_in(client), "quinn")

    other_browser = Client()
    response = other_browser.get(back)
    assert response.status_code == 400
    assert_not_signed_in(other_browser)

    # The refusal used nothing up: the browser that started the sign-in still completes it.
    assert client.get(back).status_code == 302
    assert signed_in_user_id(client) is not None


def test_a_callback_with_a_state_this_browser_never_sent_is_refused(client, single_sign_on, provider_browser):
    QualityFactory(email="quinn.quality@council.example")
    back = provider_browser.authorize(start_sign_in(client), "quinn")
    code = parse_qs(urlsplit(back).query)["code"][0]

    response = client.get(reverse("oidc_callback"), {"code": code, "state": "made-up-state"})

    assert response.status_code == 400
    assert_not_signed_in(client)


def test_an_error_from_the_provider_shows_the_not_completed_page(client, single_sign_on):
    authorization_url = start_sign_in(client)
    state = parse_qs(urlsplit(authorization_url).query)["state"][0]

    response = client.get(reverse("oidc_callback"), {"error": "access_denied", "state": state})

    assert response.status_code == 400
    assert "Sign-in was not completed" in response.content.decode()
    assert_not_signed_in(client)


def test_a_provider_that_does_not_answer_gets_its_own_page_not_a_server_error(
    client, single_sign_on, provider_browser, settings
):
    QualityFactory(email="quinn.quality@council.example")
    back = provider_browser.authorize(start_sign_in(client), "quinn")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token/"  # the discard port: nothing listens

    response = client.get(back)

    assert response.status_code == 502
    assert "The council's sign-in service did not answer" in response.content.decode()
    assert_not_signed_in(client)


# Signing out


def test_signing_out_ends_the_portal_session_and_keeps_the_provider_session_by_default(
    client, single_sign_on, provider_browser
):
    QualityFactory(email="quinn.quality@council.example")
    sign_in_through_provider(client, provider_browser, "quinn")

    response = client.post(reverse("logout"))

    assert response.status_code == 302 and response.url == reverse("login")
    assert_not_signed_in(client)
    # Still signed in at the provider: the next sign-in asks for no password there.
    assert provider_browser.authorize(start_sign_in(client)).startswith(CALLBACK)


def test_with_a_provider_sign_out_address_signing_out_also_ends_the_provider_session(
    client, single_sign_on, provider_browser, settings
):
    settings.OIDC_OP_LOGOUT_ENDPOINT = single_sign_on.logout_endpoint
    QualityFactory(email="quinn.quality@council.example")
    sign_in_through_provider(client, provider_browser, "quinn")

    response = client.post(reverse("logout"))

    assert_not_signed_in(client)
    assert response.status_code == 302 and response.url.startswith(single_sign_on.logout_endpoint + "?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(response.url).query).items()}
    assert query == {
        "client_id": directory.PORTAL_CLIENT_ID,
        "post_logout_redirect_uri": "http://testserver/accounts/login/",
    }

    # At the provider: it asks whether to sign out, then sends the browser back to the portal's sign-in page.
    confirm = provider_browser.get(response.url)
    assert "Confirm Logout" in confirm.text
    back = provider_browser._follow(
        provider_browser.session.post(
            confirm.url,
            data={
                **query,
                "allow": "Logout",
                "csrfmiddlewaretoken": provider_browser.session.cookies["provider_csrftoken"],
            },
            allow_redirects=False,
            timeout=30,
        )
    )
    assert back == "http://testserver/accounts/login/"
    # Signed out there too: the next sign-in asks for the password again.
    with pytest.raises(AssertionError, match="The provider asked for an account"):
        provider_browser.authorize(start_sign_in(client))


def test_a_password_sign_in_signs_out_here_only_even_with_a_provider_sign_out_address(client, single_sign_on, settings):
    settings.OIDC_OP_LOGOUT_ENDPOINT = single_sign_on.logout_endpoint
    QualityFactory(username="hoq")
    client.post(reverse("login"), {"username": "hoq", "password": "demo"})
    assert signed_in_user_id(client) is not None

    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert_not_signed_in(client)


# Logs and lock-out


def test_no_token_code_or_e_mail_address_reaches_the_log(
    client, single_sign_on, provider_browser, token_interceptor, caplog
):
    caplog.set_level(logging.DEBUG)
    QualityFactory(email="quinn.quality@council.example")
    secrets_seen = []

    for username in ("quinn", "stranger"):
        journey = Client()
        back = provider_browser.authorize(start_sign_in(journey), username)
        secrets_seen.append(parse_qs(urlsplit(back).query)["code"][0])
        journey.get(back)
        journey.post(reverse("logout"))
    token_interceptor.rewrite = lambda answer: {**answer, "id_token": answer["id_token"][:-4] + "AAAA"}
    journey = Client()
    journey.get(provider_browser.authorize(start_sign_in(journey), "quinn"))

    for answer in token_interceptor.answers:
        secrets_seen += [answer["id_token"], answer["access_token"]]
    assert len(token_interceptor.answers) == 3 and caplog.records
    logged = caplog.text.lower()
    for secret in secrets_seen:
        assert secret.lower() not in logged
    for account in directory.ACCOUNTS.values():
        if account.email:
            assert account.email.lower() not in logged
            assert account.email.split("@")[0].lower() not in logged


def test_single_sign_on_refusals_do_not_lock_anyone_out_and_a_lock_out_does_not_stop_single_sign_on(
    client, single_sign_on, provider_browser, settings
):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="passworduser")
    QualityFactory(email="quinn.quality@council.example")

    for _ in range(3):
        assert sign_in_through_provider(Client(), provider_browser, "stranger").status_code == 403
    # Same address, after three refusals: a password sign-in still works.
    password_client = Client()
    response = password_client.post(reverse("login"), {"username": "passworduser", "password": "demo"})
    assert response.status_code == 302

    # Now lock this address out by guessing passwords ...
    for _ in range(2):
        Client().post(reverse("login"), {"username": "passworduser", "password": "wrong"})
    assert Client().post(reverse("login"), {"username": "passworduser", "password": "demo"}).status_code == 429
    # ... and a colleague still signs in with their council account (in their own browser).
    colleague = Client()
    assert sign_in_through_provider(colleague, ProviderBrowser(single_sign_on), "quinn").status_code == 302
    assert signed_in_user_id(colleague) is not None


def test_with_passwords_for_superusers_only_single_sign_on_still_lets_everyone_in(
    client, single_sign_on, provider_browser, settings
):
    settings.LOCAL_PASSWORDS = "superusers"
    manager = ManagerFactory(email="mani.manager@council.example")

    assert sign_in_through_provider(client, provider_browser, "mani").status_code == 302
    assert signed_in_user_id(client) == str(manager.pk)
    assert client.get("/").status_code == 200
