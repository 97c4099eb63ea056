from django.urls import path

from gongzhi.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("rounds/<int:pk>/progress/", views.progress, name="progress"),
    path("rounds/<int:pk>/<slug:act>/", views.round_act, name="round_act"),
    path("scores/<int:pk>/", views.score_page, name="score"),
    path("scores/<int:pk>/item/", views.score_item, name="score_item"),
    path("parts/<int:pk>/contest/", views.contest_part, name="contest"),
    path("contests/", views.contests, name="contests"),
    path("contests/<int:pk>/decide/", views.decide, name="decide"),
    path("contests/<int:pk>/evidence/<int:photo_pk>/", views.evidence, name="evidence"),
    path("communities/<int:pk>/trend/", views.trend, name="trend"),
]
