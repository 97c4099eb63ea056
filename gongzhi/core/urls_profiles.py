from django.urls import path

from gongzhi.core import views_profiles as views

app_name = "profiles"
urlpatterns = [
    path("", views.index, name="list"),
    path("<slug:name>/", views.detail, name="detail"),
]
