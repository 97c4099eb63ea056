from django.urls import path

from gongzhi.tickets import views, views_map, views_stats

app_name = "tickets"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("new/", views.submit, name="submit"),
    path("patrol/", views.patrol, name="patrol"),
    path("enter/", views.enter, name="enter"),
    path("queue/", views.queue, name="queue"),
    path("board/", views.board, name="board"),
    path("pool/", views.pool, name="pool"),
    path("overdue/", views.overdue, name="overdue"),
    path("supervised/", views.supervised, name="supervised"),
    path("taken/", views.taken, name="taken"),
    path("map/", views_map.ticket_map, name="map"),
    path("map/data/", views_map.map_data, name="map_data"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("<int:pk>/photos/<int:photo_id>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:step>/", views.step, name="step"),
    path("stats/", views_stats.stats_page, name="stats"),
    path("stats/export.xlsx", views_stats.stats_export, name="stats_export"),
]
