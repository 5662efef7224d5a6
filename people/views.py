import logging
import re

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView, OIDCLogoutView

from people.forms import SignInForm
from people.oidc import SingleSignOnRefused
from people.permissions import RoleRequiredMixin

logger = logging.getLogger("people.oidc")


class HomeView(RoleRequiredMixin, TemplateView):
    """The role-aware home page: one panel per role the person holds, each linking to what they do next.

    Each app contributes its panel as a template under `templates/<app>/_home_<role>.html`;
    the panels read their figures through the context built here.
    """

    template_name = "people/home.html"


class ProfileView(RoleRequiredMixin, TemplateView):
    template_name = "people/profile.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            single_sign_on=settings.OIDC_ENABLED,
            uses_password=settings.LOCAL_PASSWORDS == "all" or user.is_superuser,
            **kwargs,
        )


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with your council account" when single sign-on is on, and the password form."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            single_sign_on=settings.OIDC_ENABLED, passwords_for_everyone=settings.LOCAL_PASSWORDS == "all", **kwargs
        )


@method_decorator(login_not_required, name="dispatch")
class SignOutView(OIDCLogoutView):
    """Ends the portal's session; after a single sign-on, also at the provider when OIDC_OP_LOGOUT_ENDPOINT is set
    (see `people.oidc.sign_out_url`). POST only, as Django's own sign-out."""


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnStartView(OIDCAuthenticationRequestView):
    """Sends the person to the council's sign-in page (state, nonce and PKCE kept in their session)."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            return redirect("login")
        return super().get(request)

    def get_extra_params(self, request):
        # "Sign in with a different account" on the refusal page asks the provider to ask for the account again
        # instead of reusing the one it remembers.
        return {"prompt": "login"} if request.GET.get("prompt") == "login" else {}


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back. The library checks the state and signs them in; this view turns
    each way it can fail into a page that says what happened, never a server error."""

    template_name = "registration/sso_refused.html"

    def get(self, request):
        if not settings.OIDC_ENABLED:
            return redirect("login")
        try:
            return super().get(request)
        except SingleSignOnRefused as refusal:
            logger.warning("Single sign-on refused by the staff list: %s", refusal.reason)
            return self._page(refusal.reason, status=403, email=refusal.email)
        except SuspiciousOperation as error:
            # The library's and PyJWT's messages name the failed check (state, nonce, signature, audience, issuer,
            # expiry), never a token or an address.
            logger.warning("Single sign-on failed: %s", error)
            return self._page("failed", status=400)
        except requests.HTTPError as error:
            logger.warning(
                "Single sign-on failed: the provider refused the code (HTTP %s)",
                getattr(error.response, "status_code", "?"),
            )
            return self._page("failed", status=400)
        except requests.RequestException as error:
            logger.error("Single sign-on failed: the provider did not answer (%s)", type(error).__name__)
            return self._page("unreachable", status=502)

    def login_failure(self):
        # The provider answered with an error (the person cancelled, or is not assigned to the app), or no
        # sign-in was under way in this browser.
        error = self.request.GET.get("error", "")
        # The error code is written to the log only when it looks like one (OAuth codes are lower case and
        # underscores), so nobody can write their own text into the log through this address.
        logger.warning(
            "Single sign-on failed: %s",
            error if re.fullmatch(r"[a-z_]{1,64}", error) else "the provider's answer carried no sign-in",
        )
        return self._page("failed", status=400)

    def _page(self, reason: str, *, status: int, email: str = ""):
        return render(self.request, self.template_name, {"reason": reason, "email": email}, status=status)
