from django.urls import path

from gongzhi.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/signup/", views.signup, name="signup"),
    path("activities/<int:pk>/cancel/", views.signup, {"cancel": True}, name="signup_cancel"),
    path("scan/<int:pk>/<str:kind>/<int:window>/<str:token>/", views.scan, name="scan"),
    path("points/", views.my_points, name="points"),
    path("timebank/", views.timebank, name="timebank"),
    path("timebank/<int:pk>/<str:step>/", views.exchange_step, name="exchange_step"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/decide/", views.decide, name="decide"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_edit, name="team_new"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.activity_edit, name="activity_new"),
    path("manage/<int:pk>/", views.activity, name="activity"),
    path("manage/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("manage/<int:pk>/qr/<str:kind>/", views.activity_qr, name="activity_qr"),
    path("manage/<int:pk>/<str:action>/", views.activity_action, name="activity_action"),
    path("share/", views.share, name="share"),
    path("residents/<int:pk>/points/", views.resident_points, name="resident_points"),
]
