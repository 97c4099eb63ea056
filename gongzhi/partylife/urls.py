from django.urls import path

from gongzhi.partylife import views, views_index

app_name = "partylife"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("mine/pledge/", views.pledge, name="pledge"),
    path("mine/index/", views_index.mine, name="index_mine"),
    path("mine/index/declare/", views_index.declare, name="index_declare"),
    path("orgs/<int:pk>/index/", views_index.branch, name="index_branch"),
    path("orgs/<int:pk>/index/record/", views_index.record, name="index_record"),
    path("index-items/<int:pk>/review/", views_index.review, name="index_review"),
    path("index-evidence/<int:pk>/", views_index.evidence, name="index_evidence"),
    path("orgs/<int:pk>/pledges/", views.pledges, name="pledges"),
    path("pledges/<int:pk>/review/", views.pledge_review, name="pledge_review"),
    path("orgs/<int:pk>/areas/", views.areas, name="areas"),
    path("areas/<int:pk>/end/", views.area_end, name="area_end"),
    path("orgs/<int:pk>/letters/", views.letters, name="letters"),
    path("members/<int:pk>/letter/<int:year>/", views.letter, name="letter"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:pk>/review/", views.review_open, name="review_open"),
    path("orgs/<int:pk>/plan-year/", views.plan_year, name="plan_year"),
    path("orgs/<int:pk>/dues/", views.dues, name="dues"),
    path("orgs/<int:pk>/transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/<str:step>/", views.transfer_step, name="transfer_step"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/leave/", views.leave, name="leave"),
    path("meetings/<int:pk>/check-in/<int:window>/<str:token>/", views.check_in, name="check_in"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("results/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("results/<int:pk>/self/", views.review_self, name="review_self"),
]
