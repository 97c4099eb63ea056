from django.urls import path

from gongzhi.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/support/", views.topic_support, name="topic_support"),
    path("topics/<int:pk>/opinion/", views.topic_opinion, name="topic_opinion"),
    path("topics/<int:pk>/status/", views.topic_status, name="topic_status"),
    path("opinions/<int:pk>/hide/", views.opinion_hide, name="opinion_hide"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/series/", views.series, name="series"),
    path("meetings/series/<int:pk>/stop/", views.series_stop, name="series_stop"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/resolution/", views.meeting_resolution, name="meeting_resolution"),
    path("meetings/<int:pk>/qr/", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/qr/code/", views.meeting_qr_code, name="meeting_qr_code"),
    path("meetings/<int:pk>/checkin/<str:token>/", views.checkin, name="checkin"),
    # Follow-throughs of resolutions (落实事项): the paths keep their first wording, "actions/".
    path("actions/", views.follow_throughs, name="follow_throughs"),
    path("actions/<int:pk>/", views.follow_through, name="follow_through"),
    path(
        "actions/<int:pk>/progress/",
        views.follow_through_progress,
        name="follow_through_progress",
    ),
    path("polls/", views.polls, name="polls"),
    path("polls/new/", views.poll_new, name="poll_new"),
    path("polls/<int:pk>/", views.poll, name="poll"),
    path("polls/<int:pk>/vote/", views.poll_vote, name="poll_vote"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("representatives/", views.representatives, name="representatives"),
    path(
        "representatives/<int:pk>/remove/",
        views.representative_remove,
        name="representative_remove",
    ),
    path("joint-meetings/overdue/", views.joint_overdue, name="joint_overdue"),
    path("public/<int:community_id>/", views.public, name="public"),
    path("public/<int:community_id>/notices/", views.public_notices, name="public_notices"),
]
