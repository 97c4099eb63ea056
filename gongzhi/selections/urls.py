from django.urls import path

from gongzhi.selections import views

app_name = "selections"
urlpatterns = [
    path("", views.selection_list, name="list"),
    path("new/", views.selection_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.selection_detail, name="detail"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/ballot/", views.ballot, name="ballot"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/nominees/<int:nominee_pk>/vote/", views.vote, name="vote"),
    path(
        "<int:pk>/nominees/<int:nominee_pk>/photos/<int:photo_pk>/",
        views.nominee_photo,
        name="photo",
    ),
    path("<int:pk>/nominees/<int:nominee_pk>/<slug:act>/", views.nominee_act, name="nominee_act"),
    path("<int:pk>/<slug:act>/", views.selection_act, name="act"),
]
