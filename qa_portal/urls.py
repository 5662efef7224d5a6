from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from actions import views as actions_views
from people import views as people_views

# Files under MEDIA_ROOT (uploaded trackers, report PDFs) are never served directly: each download goes
# through a view that checks the person's role, so there is deliberately no media/ route.
# Password reset by e-mail is left out on purpose: accounts are managed by the QA team.
auth_patterns = [
    path("login/", people_views.SignInView.as_view(), name="login"),
    path("logout/", people_views.SignOutView.as_view(), name="logout"),
    # Single sign-on (OpenID Connect): the provider's redirect URI is the callback's full address.
    path("oidc/start/", people_views.SingleSignOnStartView.as_view(), name="oidc_start"),
    path("oidc/callback/", people_views.SingleSignOnCallbackView.as_view(), name="oidc_callback"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]


class MovedAdminRedirect(RedirectView):
    """The admin pages of a model that moved app (issue 11) answer at their old address too, for bookmarks."""

    permanent = True

    def get_redirect_url(self, *args, app: str, model: str, rest: str = "", **kwargs) -> str:
        query = self.request.META.get("QUERY_STRING", "")
        return f"/admin/{app}/{model}/{rest}" + (f"?{query}" if query else "")


# Old admin address (app label, model) -> the app the model lives in now.
MOVED_ADMIN_MODELS = {("audits", "child"): "caseload", ("audits", "exemption"): "allocation"}
moved_admin_patterns = [
    path(f"admin/{old_app}/{model}/{suffix}", MovedAdminRedirect.as_view(), {"app": app, "model": model})
    for (old_app, model), app in MOVED_ADMIN_MODELS.items()
    for suffix in ("", "<path:rest>")
]

urlpatterns = [
    *moved_admin_patterns,
    path("", people_views.HomeView.as_view(), name="home"),
    path("accounts/", include(auth_patterns)),
    path("people/", include("people.urls")),
    # Allocation and the tracker import keep the addresses they had under /audits/ (bookmarks keep working).
    path("audits/", include("allocation.urls")),
    path("audits/", include("imports.urls")),
    path("audits/", include("audits.urls")),
    path("moderation/", include("moderation.urls")),
    path("actions/", include("actions.urls")),
    # Search by child reference across audits, actions and Children of Concern; for now in the actions app,
    # the lowest app that may read all three.
    path("search/", actions_views.ChildSearchView.as_view(), name="search"),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

# A database outage outside a view (loading the session or the user) gets the same 503 page as one inside it.
handler500 = "qa_portal.middleware.server_error_or_database_unavailable"
