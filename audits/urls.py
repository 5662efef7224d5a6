from django.urls import path  # noqa: F401

app_name = "audits"

# Allocation, exemptions, practice-area templates (issue 1/6).
urlpatterns: list = []

# The audit form: completing, submitting, sending back (issue 2/6).
urlpatterns += []

# Importing a spreadsheet tracker (issue 5/6).
urlpatterns += []

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
