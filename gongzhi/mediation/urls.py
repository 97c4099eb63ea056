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
]
