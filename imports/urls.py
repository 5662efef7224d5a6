"""Importing a tracker, the caseload and the staff list. Included under /audits/, where these pages always were."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("import/", views.ImportUploadView.as_view(), name="upload"),
    path("import/caseload/", views.ListImportUploadView.as_view(kind="caseload"), name="caseload"),
    path("import/staff/", views.ListImportUploadView.as_view(kind="staff"), name="staff"),
    path("import/history/", views.ImportHistoryView.as_view(), name="history"),
    path("import/example/<slug:which>/", views.ImportExampleView.as_view(), name="example"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("import/<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("import/<int:pk>/progress/", views.ImportProgressView.as_view(), name="progress"),
]
