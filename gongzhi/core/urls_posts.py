from django.urls import path

from gongzhi.core import views_posts as views

app_name = "posts"
urlpatterns = [path("", views.index, name="list")]
