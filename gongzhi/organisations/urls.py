from django.urls import path

from gongzhi.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.organisation, name="organisation"),
    path("<int:pk>/registration/", views.registration, name="registration"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("<int:pk>/rating/", views.rating, name="rating"),
    path("<int:pk>/party-org/", views.party_org, name="party_org"),
    path("<int:pk>/documents/", views.document, name="document"),
    path("<int:pk>/contacts/", views.contact, name="contact"),
    path("incubation/", views.incubation, name="incubation"),
    path("incubation/<int:pk>/step/", views.incubation_step, name="incubation_step"),
    path("subsidies/", views.subsidies, name="subsidies"),
    path("subsidies/<int:pk>/", views.subsidy, name="subsidy"),
    path("venture/", views.rounds, name="rounds"),
    path("venture/<int:pk>/", views.round_detail, name="round"),
    path("venture/projects/<int:pk>/", views.application, name="application"),
    path("compliance/", views.compliance, name="compliance"),
    path("public/venture/", views.public_rounds, name="public_rounds"),
    path("public/venture/<int:pk>/", views.public_round, name="public_round"),
]
