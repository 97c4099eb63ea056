from django.urls import path

from gongzhi.estates import views, views_ratings

app_name = "estates"
urlpatterns = [
    path("", views.index, name="index"),
    path("committees/<int:pk>/", views.committee, name="committee"),
    path("committees/<int:pk>/party-org/", views.committee_party_org, name="committee_party_org"),
    path("committees/<int:pk>/terms/", views.term_add, name="term_add"),
    path("committees/<int:pk>/lists/", views.list_add, name="list_add"),
    path("terms/<int:pk>/members/", views.member_add, name="member_add"),
    path("terms/<int:pk>/file/", views.term_file, name="term_file"),
    path("terms/<int:pk>/end/", views.term_end, name="term_end"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("lists/<int:pk>/candidates/", views.candidate_add, name="candidate_add"),
    path("lists/<int:pk>/review/", views.list_review, name="list_review"),
    path("lists/<int:pk>/finalise/", views.list_finalise, name="list_finalise"),
    path("candidates/<int:pk>/exclude/", views.candidate_exclude, name="candidate_exclude"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/<int:pk>/leave/", views.supervisor_leave, name="supervisor_leave"),
    path("companies/", views.companies, name="companies"),
    path("companies/contract/", views.contract_by_code, name="contract_by_code"),
    path("companies/<int:pk>/", views.company, name="company"),
    path("companies/<int:pk>/contracts/", views.contract_add, name="contract_add"),
    path("companies/<int:pk>/party-org/", views.company_party_org, name="company_party_org"),
    path("companies/<int:pk>/party-staff/", views.company_party_staff, name="company_party_staff"),
    path("companies/<int:pk>/staff/", views.staff_link, name="staff_link"),
    path("staff-links/<int:pk>/end/", views.staff_unlink, name="staff_unlink"),
    path("compliance/", views.compliance, name="compliance"),
    path("ratings/", views_ratings.ratings_page, name="ratings"),
    path("ratings/surveys/", views_ratings.survey_open, name="survey_open"),
    path("ratings/assess/", views_ratings.assess, name="assess"),
    path("ratings/publish/", views_ratings.publish, name="publish"),
    path("ratings/list/", views_ratings.redblack_add, name="redblack_add"),
    path("red-black-list/", views_ratings.redblack_public, name="redblack"),
    path("mine/", views_ratings.mine, name="mine"),
    path("my-company/", views_ratings.my_company, name="my_company"),
]
