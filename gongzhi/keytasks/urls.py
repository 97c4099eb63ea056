from django.urls import path

from gongzhi.keytasks import list_views, oversight_views, views

app_name = "keytasks"
urlpatterns = [
    path("", views.todo, name="todo"),
    path("sent/", views.sent, name="sent"),
    path("sent/<int:pk>/", views.task, name="task"),
    path("sent/<int:pk>/rollup.xlsx", views.rollup_export, name="rollup"),
    path("sent/<int:pk>/<slug:act>/", views.task_act, name="task_act"),
    path("forms/<int:pk>/", views.fill, name="fill"),
    path("forms/<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("forms/<int:pk>/<slug:act>/", views.receiver_act, name="receiver_act"),
    path("lists/", list_views.board, name="board"),
    path("lists/import/", list_views.import_list, name="list_import"),
    path("lists/<int:pk>/timeline/", oversight_views.timeline, name="timeline"),
    path("supervision/", oversight_views.supervision, name="supervision"),
    path("inspections/", oversight_views.inspection_list, name="inspections"),
    path("inspections/new/", oversight_views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", oversight_views.inspection, name="inspection"),
    path("lists/tasks/<int:pk>/", list_views.task, name="list_task"),
    path(
        "lists/tasks/<int:pk>/photos/<int:photo_pk>/", list_views.progress_photo, name="list_photo"
    ),
    path("lists/tasks/<int:pk>/<slug:act>/", list_views.task_act, name="list_task_act"),
]
