"""The cockpit pages, mounted at /cockpit/ (namespace "cockpit")."""

from django.urls import path

from gongzhi.evaluation import views_cockpit

app_name = "cockpit"
urlpatterns = [
    path("", views_cockpit.screen, name="screen"),
    path("<int:pk>/", views_cockpit.screen, name="place"),
]
