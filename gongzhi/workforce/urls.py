from django.urls import path

from gongzhi.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.index, name="index"),
    path("workers/<int:pk>/", views.worker, name="worker"),
    path("workers/<int:pk>/leave/", views.worker_leave, name="worker_leave"),
    path("communities/<int:pk>/", views.community, name="community"),
    path("seats/<int:pk>/end/", views.seat_end, name="seat_end"),
    path("compliance/", views.compliance, name="compliance"),
    path("workers/<int:pk>/certificates/", views.certificate_add, name="certificate_add"),
    path("workers/<int:pk>/assessments/", views.assessment_add, name="assessment_add"),
    path("certificates/<int:pk>/scans/<int:scan_pk>/", views.scan, name="scan"),
    path("rewards/", views.rewards, name="rewards"),
    path("training/", views.training_list, name="training"),
    path("training/<int:pk>/", views.course, name="course"),
    path("training/<int:pk>/attendance.xlsx", views.course_export, name="course_export"),
    path("training/days.xlsx", views.training_days_export, name="training_days_export"),
    path("pay-floors/", views.pay_floors, name="pay_floors"),
    path("roster.xlsx", views.roster_export, name="roster_export"),
    path("import/", views.roster_import, name="roster_import"),
    path("import/template.xlsx", views.roster_template, name="roster_template"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:pk>/", views.appointment, name="appointment"),
    path(
        "appointments/<int:pk>/scans/<int:scan_pk>/",
        views.appointment_scan,
        name="appointment_scan",
    ),
    path(
        "rewards/<int:pk>/<str:step>/",
        views.reward_step,
        name="reward_step",
    ),
]
