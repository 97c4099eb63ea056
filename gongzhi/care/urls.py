from django.urls import path

from gongzhi.care import views, views_rentals, views_visits

app_name = "care"
urlpatterns = [
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/knock/", views.knock, name="knock"),
    path("notices/<int:pk>/sms/", views.notice_sms, name="notice_sms"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_notice, name="mine_notice"),
    path("rentals/", views_rentals.rentals, name="rentals"),
    path("rentals/<int:pk>/", views_rentals.rental, name="rental"),
    path("tenancies/<int:pk>/end/", views_rentals.tenancy_end, name="tenancy_end"),
    path("tenancies/<int:pk>/extend/", views_rentals.tenancy_extend, name="tenancy_extend"),
    path("visits/", views_visits.visits, name="visits"),
    path("visits/mine/", views_visits.my_visits, name="my_visits"),
    path("visits/<int:pk>/", views_visits.visit_plan, name="visit_plan"),
    path("visits/<int:pk>/record/", views_visits.visit_new, name="visit_new"),
    path("visit-records/<int:pk>/ticket/", views_visits.visit_ticket, name="visit_ticket"),
]
