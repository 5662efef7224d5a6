from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.ActionListView.as_view(), name="list"),
    path("export.csv", views.ActionExportView.as_view(), name="export"),
    path("<int:pk>/", views.ActionDetailView.as_view(), name="detail"),
    path("<int:pk>/complete/", views.ActionCompleteView.as_view(), name="complete"),
    path("<int:pk>/move-due/", views.ActionMoveDueView.as_view(), name="move_due"),
    path("<int:pk>/reopen/", views.ActionReopenView.as_view(), name="reopen"),
    path("concerns/", views.ConcernListView.as_view(), name="coc_list"),
    path("concerns/<int:pk>/", views.ConcernDetailView.as_view(), name="coc_detail"),
    path("concerns/<int:pk>/respond/", views.ConcernRespondView.as_view(), name="coc_respond"),
    path("concerns/<int:pk>/draft/", views.ConcernSaveDraftView.as_view(), name="coc_draft"),
    path("concerns/<int:pk>/review/", views.ConcernReviewView.as_view(), name="coc_review"),
]
