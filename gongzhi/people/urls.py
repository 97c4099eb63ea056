from django.urls import path

from gongzhi.people import views

app_name = "people"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("new/", views.resident_create, name="create"),
    path("lists/", views.my_lists, name="lists"),
    path("export/", views.export, name="export"),
    path("export/full/", views.export_full, name="export_full"),
    path("<int:pk>/", views.resident_detail, name="detail"),
    path("<int:pk>/edit/", views.resident_edit, name="edit"),
    path("<int:pk>/move/", views.resident_move, name="move"),
    path("<int:pk>/move-out/", views.resident_move_out, name="move_out"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
