from django.urls import path

from reports import audit_views, period_views, views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("<int:year>/<int:month>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:year>/<int:month>/figures.json", views.ReportJsonView.as_view(), name="json"),
    path("<int:year>/<int:month>/charts/<slug:name>.svg", views.ReportChartView.as_view(), name="chart"),
    path("<int:year>/<int:month>/narrative/", views.NarrativeEditView.as_view(), name="narrative"),
    path("<int:year>/<int:month>/pdf/", views.DocumentGenerateView.as_view(), name="generate"),
    path("documents/<int:pk>/status/", views.DocumentStatusView.as_view(), name="document_status"),
    path("documents/<int:pk>/download/", views.DocumentDownloadView.as_view(), name="document_download"),
    path("documents/<int:pk>/publish/", views.DocumentPublishView.as_view(), name="document_publish"),
    path("targets/", views.TargetsEditView.as_view(), name="targets"),
    path("audits/", views.DrilldownView.as_view(), name="drilldown"),
    path("audits/<int:pk>/pdf/", audit_views.AuditPdfView.as_view(), name="audit_pdf"),
    path("period/", period_views.PeriodReportView.as_view(), name="period"),
    path("period/figures.json", period_views.PeriodJsonView.as_view(), name="period_json"),
    path("period/pdf/", period_views.PeriodGenerateView.as_view(), name="period_generate"),
]
