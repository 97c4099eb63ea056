from django.urls import path

from gongzhi.tickets import views

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
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:step>/", views.step, name="step"),
]
