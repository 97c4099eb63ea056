from django.urls import path

from gongzhi.care import views, views_giving, views_rentals, views_rounds, views_visits

app_name = "care"
urlpatterns = [
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/knock/", views.knock, name="knock"),
    path("notices/<int:pk>/sms/", views.notice_sms, name="notice_sms"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_notice, name="mine_notice"),
    path("mine/record/", views_giving.mine_record, name="mine_record"),
    path("mine/circle/", views_giving.circle, name="circle"),
    path("donations/", views_giving.donations, name="donations"),
    path("service-points/", views_giving.service_points, name="service_points"),
    path("service-points/new/", views_giving.service_point_edit, name="service_point_new"),
    path("service-points/<int:pk>/", views_giving.service_point_edit, name="service_point_edit"),
    path("rentals/", views_rentals.rentals, name="rentals"),
    path("rentals/<int:pk>/", views_rentals.rental, name="rental"),
    path("tenancies/<int:pk>/end/", views_rentals.tenancy_end, name="tenancy_end"),
    path("tenancies/<int:pk>/extend/", views_rentals.tenancy_extend, name="tenancy_extend"),
    path("rounds/", views_rounds.rounds, name="rounds"),
    path("rounds/new/", views_rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round"),
    path("rounds/<int:pk>/rollup.xlsx", views_rounds.round_rollup, name="round_rollup"),
    path("round-items/<int:pk>/", views_rounds.round_item, name="round_item"),
    path("visits/", views_visits.visits, name="visits"),
    path("visits/mine/", views_visits.my_visits, name="my_visits"),
    path("visits/plan/", views_visits.visit_planning, name="visit_planning"),
    path("visits/<int:pk>/visitor/", views_visits.visit_reassign, name="visit_reassign"),
    path("visit-photos/<int:pk>/", views_visits.visit_photo, name="visit_photo"),
    path("visits/<int:pk>/", views_visits.visit_plan, name="visit_plan"),
    path("visits/<int:pk>/record/", views_visits.visit_new, name="visit_new"),
    path("visit-records/<int:pk>/ticket/", views_visits.visit_ticket, name="visit_ticket"),
]
