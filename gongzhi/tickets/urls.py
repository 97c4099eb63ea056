from django.urls import path

from gongzhi.tickets import views, views_categories, views_ledger, views_map, views_stats

app_name = "tickets"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("categories/", views_categories.category_list, name="categories"),
    path("categories/new/", views_categories.category_new, name="category_new"),
    path("categories/<int:pk>/", views_categories.category_edit, name="category_edit"),
    path(
        "categories/<int:pk>/<str:change>/",
        views_categories.category_change,
        name="category_change",
    ),
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
    path("<int:pk>/call/", views_map.call_resident, name="call"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("<int:pk>/photos/<int:photo_id>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:step>/", views.step, name="step"),
    path("stats/", views_stats.stats_page, name="stats"),
    path("stats/export.xlsx", views_stats.stats_export, name="stats_export"),
    # The ticket ledger (issue 19): gongzhi/tickets/views_ledger.py.
    path("ledger/", views_ledger.ledger_page, name="ledger"),
    path("ledger/export/", views_ledger.ledger_export, name="ledger_export"),
    path(
        "ledger/exports/<int:pk>/", views_ledger.ledger_export_status, name="ledger_export_status"
    ),
    path(
        "ledger/exports/<int:pk>/progress/",
        views_ledger.ledger_export_progress,
        name="ledger_export_progress",
    ),
    path(
        "ledger/exports/<int:pk>/download/",
        views_ledger.ledger_export_download,
        name="ledger_export_download",
    ),
    path("ledger/filters/", views_ledger.ledger_filter_save, name="ledger_filter_save"),
    path(
        "ledger/filters/<int:pk>/delete/",
        views_ledger.ledger_filter_delete,
        name="ledger_filter_delete",
    ),
]
