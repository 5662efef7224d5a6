from django.urls import path  # noqa: F401

app_name = "audits"

# Allocation, exemptions, practice-area templates (issue 1/6).
from django.urls import register_converter  # noqa: E402

from audits import views  # noqa: E402
from audits.converters import MonthConverter  # noqa: E402

register_converter(MonthConverter, "month")

urlpatterns: list = [
    path("allocation/", views.AllocationIndexView.as_view(), name="allocation_index"),
    path("allocation/<month:month>/", views.AllocationMonthView.as_view(), name="allocation"),
    path("allocation/<month:month>/propose/", views.AllocationProposeView.as_view(), name="allocation_propose"),
    path("allocation/<month:month>/add/", views.ProposalAddView.as_view(), name="allocation_add"),
    path("allocation/<month:month>/lines/<int:pk>/", views.ProposalLineView.as_view(), name="allocation_line"),
    path(
        "allocation/<month:month>/lines/<int:pk>/remove/",
        views.ProposalRemoveView.as_view(),
        name="allocation_line_remove",
    ),
    path("allocation/<month:month>/confirm/", views.AllocationConfirmView.as_view(), name="allocation_confirm"),
    path("exemptions/", views.ExemptionListView.as_view(), name="exemption_list"),
    path("exemptions/new/", views.ExemptionGrantView.as_view(), name="exemption_grant"),
    path("exemptions/<int:pk>/withdraw/", views.ExemptionWithdrawView.as_view(), name="exemption_withdraw"),
    path("mine/", views.MyAuditsView.as_view(), name="my_audits"),
]

# The audit form: completing, submitting, sending back (issue 2/6).
from django.contrib.auth.decorators import login_not_required  # noqa: E402

from audits import completion_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/", completion_views.AuditDetailView.as_view(), name="audit_detail"),
    path("<int:pk>/edit/", completion_views.AuditEditView.as_view(), name="audit_edit"),
    # The form's Submit button posts the whole form here (formaction); Save draft posts to audit_edit.
    path(
        "<int:pk>/submit/",
        completion_views.AuditEditView.as_view(submitting=True, http_method_names=["post"]),
        name="audit_submit",
    ),
    # The view checks sign-in itself, so an expired session reads "signed out", not a login page.
    path("<int:pk>/autosave/", login_not_required(completion_views.AuditAutosaveView.as_view()), name="audit_autosave"),
    path("<int:pk>/send-back/", completion_views.AuditSendBackView.as_view(), name="audit_send_back"),
    path("<int:pk>/history/", completion_views.AuditHistoryView.as_view(), name="audit_history"),
]

# Importing a spreadsheet tracker (issue 5/6).
from audits import import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.ImportUploadView.as_view(), name="import_upload"),
    path("import/history/", import_views.ImportHistoryView.as_view(), name="import_history"),
    path("import/example/<slug:which>/", import_views.ImportExampleView.as_view(), name="import_example"),
    path("import/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/<int:pk>/progress/", import_views.ImportProgressView.as_view(), name="import_progress"),
]

# Practice-area templates (issue 1/6).
from audits import template_views  # noqa: E402

urlpatterns += [
    path("templates/", template_views.TemplateListView.as_view(), name="template_list"),
    path("templates/new/", template_views.TemplateCreateDraftView.as_view(), name="template_create"),
    path("templates/<int:number>/", template_views.TemplateDetailView.as_view(), name="template_detail"),
    path("templates/<int:number>/edit/", template_views.TemplateEditView.as_view(), name="template_edit"),
    path(
        "templates/<int:number>/publish/",
        template_views.TemplateConfirmView.as_view(action="publish"),
        name="template_publish",
    ),
    path(
        "templates/<int:number>/discard/",
        template_views.TemplateConfirmView.as_view(action="discard"),
        name="template_discard",
    ),
]
