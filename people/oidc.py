"""Single sign-on with the council's account: OpenID Connect, set up in the README for Microsoft Entra ID.

mozilla-django-oidc runs the protocol: the authorisation request with state, nonce and PKCE, the exchange of
the code for tokens, and the ID token's checks it owns (RS256 only, the signature against the provider's JWKS,
expiry, the nonce). This module adds what the library leaves to each site: the ID token's audience and issuer,
and who may come in. A person is found by the e-mail address on the staff list, which the QA team keeps; the
token never creates an account or changes a name, a role or a team.
"""

import enum
import logging
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from people.models import User
from people.selectors import staff_with_email

logger = logging.getLogger(__name__)

BACKEND_PATH = "people.oidc.StaffListOIDCBackend"


class Refusal(enum.StrEnum):
    """Why the staff list does not let a person in, each with its own page (templates/registration/sso_refused.html)."""

    NO_EMAIL = "no-email"
    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    AMBIGUOUS = "ambiguous"


class SingleSignOnRefused(Exception):
    """The provider vouched for the person, but the staff list does not let them in."""

    def __init__(self, reason: Refusal, email: str = ""):
        super().__init__(reason.value)
        self.reason = reason
        self.email = email


def staff_member_for_sign_in(*, email: str) -> User:
    """The one active person on the staff list with this e-mail address (any letter case), or a refusal."""
    if not email:
        raise SingleSignOnRefused(Refusal.NO_EMAIL)
    # Two rows are enough to tell "one" from "more than one".
    matches = list(staff_with_email(email)[:2])
    if not matches:
        raise SingleSignOnRefused(Refusal.UNKNOWN, email)
    if len(matches) > 1:
        raise SingleSignOnRefused(Refusal.AMBIGUOUS, email)
    if not matches[0].is_active:
        raise SingleSignOnRefused(Refusal.INACTIVE, email)
    return matches[0]


class StaffListOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with the audience and issuer checked and the staff list deciding who comes in."""

    def authenticate(self, request, nonce=None, code_verifier=None):
        # Named parameters rather than the library's **kwargs: Django offers a backend only the credentials its
        # signature accepts, so a username and password never reach this one. (A password form posted to an
        # address carrying `code` and `state` would otherwise start a token exchange.)
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def _verify_jws(self, payload, key):
        try:
            # The library pins the algorithm (RS256) and has PyJWT check the signature, expiry and "not before";
            # it turns off the audience check and does not check the issuer. PyJWT checks both here.
            claims = super()._verify_jws(payload, key)
            jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"strict_aud": True, "require": ["aud", "iss", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            # PyJWT's messages name the failed check ("Signature has expired", "Audience doesn't match"),
            # never the token or its claims.
            raise SuspiciousOperation(f"ID token refused: {error}") from error
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        # The person's claims are those of the ID token just verified (signature, audience, issuer, expiry,
        # nonce). The userinfo endpoint's answer carries none of those guarantees, and Entra's lives elsewhere.
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        # Never creates a user and never copies a claim (name, roles, groups) onto one: the staff list decides.
        return staff_member_for_sign_in(email=(payload.get("email") or "").strip())

    def get_user(self, user_id):
        # The library's get_user skips Django's active check. Django's is kept, so that a person the staff list
        # makes inactive is signed out at their next request, as they would be after a password sign-in.
        return ModelBackend.get_user(self, user_id)


def signed_in_with_single_sign_on(request) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == BACKEND_PATH


def sign_out_url(request) -> str:
    """Where signing out leads (mozilla-django-oidc's OIDC_OP_LOGOUT_URL_METHOD, called before the session ends).

    After a single sign-on, and with OIDC_OP_LOGOUT_ENDPOINT set, the provider's sign-out page
    (RP-initiated logout), which comes back to the sign-in page; otherwise straight to the sign-in page.
    """
    after = resolve_url(settings.LOGOUT_REDIRECT_URL)
    if not (settings.OIDC_OP_LOGOUT_ENDPOINT and signed_in_with_single_sign_on(request)):
        return after
    # No id_token_hint: the ID token is not kept after sign-in, so the provider asks which account to sign out.
    query = urlencode(
        {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": request.build_absolute_uri(after)}
    )
    separator = "&" if "?" in settings.OIDC_OP_LOGOUT_ENDPOINT else "?"
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}{separator}{query}"
