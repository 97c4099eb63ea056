from django.urls import path

from gongzhi.mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/scans/<int:scan_pk>/", views.scan, name="scan"),
    path("cases/<int:pk>/<slug:act>/", views.case_act, name="case_act"),
    path("from-ticket/<int:pk>/", views.from_ticket, name="from_ticket"),
    path("committees/", views.committees, name="committees"),
    path("committees/<int:pk>/", views.committee, name="committee"),
    path("mediators/<int:pk>/active/", views.mediator_active, name="mediator_active"),
    path("figures/", views.figures, name="figures"),
    path("figures/export/", views.figures_export, name="figures_export"),
    path("board/", views.board, name="board"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/decisions/<int:pk>/", views.meeting_decision, name="meeting_decision"),
    path("awards/", views.award_list, name="awards"),
    path("awards/<int:pk>/<slug:act>/", views.award_act, name="award_act"),
    path("legal/", views.legal_mine, name="legal_mine"),
    path("legal/questions/", views.legal_list, name="legal_list"),
    path("legal/questions/<int:pk>/", views.question, name="question"),
]
