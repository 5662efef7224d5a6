from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from people import views as people_views

urlpatterns = [
    path("", people_views.HomeView.as_view(), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("people/", include("people.urls")),
    path("audits/", include("audits.urls")),
    path("moderation/", include("moderation.urls")),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.views.static import serve

    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
