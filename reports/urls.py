from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("<int:year>/<int:month>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:year>/<int:month>/figures.json", views.ReportJsonView.as_view(), name="json"),
    path("<int:year>/<int:month>/narrative/", views.NarrativeEditView.as_view(), name="narrative"),
    path("<int:year>/<int:month>/pdf/", views.DocumentGenerateView.as_view(), name="generate"),
    path("documents/<int:pk>/status/", views.DocumentStatusView.as_view(), name="document_status"),
    path("documents/<int:pk>/download/", views.DocumentDownloadView.as_view(), name="document_download"),
    path("documents/<int:pk>/publish/", views.DocumentPublishView.as_view(), name="document_publish"),
    path("audits/", views.DrilldownView.as_view(), name="drilldown"),
]
