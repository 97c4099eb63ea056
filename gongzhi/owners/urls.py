from django.urls import path

from gongzhi.owners import views

app_name = "owners"
urlpatterns = [
    path("", views.index, name="index"),
    path("estate/<int:pk>/", views.estate, name="estate"),
    path("estate/<int:pk>/<str:step>/", views.estate_action, name="estate_action"),
    path("owner/<int:pk>/", views.owner, name="owner"),
    path("owner/<int:pk>/<str:step>/", views.owner_action, name="owner_action"),
    path("vote/<int:pk>/", views.vote, name="vote"),
    path("vote/<int:pk>/result/", views.result, name="result"),
    path("vote/<int:pk>/<str:step>/", views.vote_action, name="vote_action"),
    path("ballot/<int:pk>/scan/", views.scan, name="scan"),
]
