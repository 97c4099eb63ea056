from django.urls import path

from gongzhi.microprojects import views

app_name = "microprojects"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/new/", views.open_round, name="open_round"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/<str:step>/", views.round_action, name="round_action"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/<str:step>/", views.project_action, name="project_action"),
    path("public/<int:community_id>/", views.public, name="public"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
