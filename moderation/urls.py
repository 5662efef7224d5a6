from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    # The moderator.
    path("", views.QueueView.as_view(), name="queue"),
    path("<int:pk>/", views.ModerateView.as_view(), name="moderate"),
    # The auditor.
    path("feedback/", views.FeedbackListView.as_view(), name="feedback"),
    path("<int:pk>/finalise/", views.FinaliseView.as_view(), name="finalise"),
    # The QA team.
    path("<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("sample/", views.SampleView.as_view(), name="sample"),
    path("sample/add/", views.SampleAddView.as_view(), name="sample_add"),
    path("<int:pk>/remove/", views.SampleRemoveView.as_view(), name="sample_remove"),
    path("<int:pk>/reassign/", views.SampleReassignView.as_view(), name="sample_reassign"),
    path("panel/", views.PanelView.as_view(), name="panel"),
    path("effect/", views.EffectView.as_view(), name="effect"),
]
