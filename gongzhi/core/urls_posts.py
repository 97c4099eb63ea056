from django.urls import path

from gongzhi.core import views_posts as views

app_name = "posts"
urlpatterns = [
    path("", views.index, name="list"),
    path("grant/", views.grant, name="grant"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
