from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from people import views as people_views

# Files under MEDIA_ROOT (uploaded trackers, report PDFs) are never served directly: each download goes
# through a view that checks the person's role, so there is deliberately no media/ route.
# Password reset by e-mail is left out on purpose: accounts are managed by the QA team.
auth_patterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

urlpatterns = [
    path("", people_views.HomeView.as_view(), name="home"),
    path("accounts/", include(auth_patterns)),
    path("people/", include("people.urls")),
    path("audits/", include("audits.urls")),
    path("moderation/", include("moderation.urls")),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
