from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("me/", views.ProfileView.as_view(), name="profile"),
]
