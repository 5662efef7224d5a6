"""The audit itself: My audits, the audit form (completing, submitting, sending back) and practice-area templates."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from audits import completion_views, good_practice_views, programme_views, template_views, theme_views, views

app_name = "audits"

urlpatterns = [
    path("mine/", views.MyAuditsView.as_view(), name="my_audits"),
    # The audit form.
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
    path("<int:pk>/good-practice/", good_practice_views.GoodPracticeEditView.as_view(), name="good_practice_edit"),
    # Audit programmes.
    path("programmes/", programme_views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/new/", programme_views.ProgrammeFormView.as_view(), name="programme_create"),
    path("programmes/<slug:slug>/", programme_views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("programmes/<slug:slug>/edit/", programme_views.ProgrammeFormView.as_view(), name="programme_edit"),
    # Learning themes, kept by the QA team.
    path("themes/", theme_views.ThemeListView.as_view(), name="theme_list"),
    path("themes/<int:pk>/", theme_views.ThemeEditView.as_view(), name="theme_edit"),
    path("themes/<int:pk>/retire/", theme_views.ThemeActiveView.as_view(active=False), name="theme_retire"),
    path("themes/<int:pk>/restore/", theme_views.ThemeActiveView.as_view(active=True), name="theme_restore"),
    # Practice-area templates.
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
    # Another programme's own template: the same pages and names, with the programme's slug.
    path("programmes/<slug:programme>/templates/", template_views.TemplateListView.as_view(), name="template_list"),
    path(
        "programmes/<slug:programme>/templates/new/",
        template_views.TemplateCreateDraftView.as_view(),
        name="template_create",
    ),
    path(
        "programmes/<slug:programme>/templates/<int:number>/",
        template_views.TemplateDetailView.as_view(),
        name="template_detail",
    ),
    path(
        "programmes/<slug:programme>/templates/<int:number>/edit/",
        template_views.TemplateEditView.as_view(),
        name="template_edit",
    ),
    path(
        "programmes/<slug:programme>/templates/<int:number>/publish/",
        template_views.TemplateConfirmView.as_view(action="publish"),
        name="template_publish",
    ),
    path(
        "programmes/<slug:programme>/templates/<int:number>/discard/",
        template_views.TemplateConfirmView.as_view(action="discard"),
        name="template_discard",
    ),
]
