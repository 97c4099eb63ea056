from django.urls import path

from gongzhi.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.units, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/resources/", views.resource_add, name="resource_add"),
    path("units/<int:pk>/report/", views.report, name="report"),
    path("units/<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("lists/", views.lists, name="lists"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/claim/", views.item_claim, name="claim"),
    path("claims/<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path(
        "claims/<int:pk>/photos/<int:photo_id>/thumb/",
        views.photo,
        {"thumb": True},
        name="photo_thumb",
    ),
    path("claims/<int:pk>/<str:step>/", views.claim_step, name="claim_step"),
    path("needs/", views.needs, name="needs"),
    path("items/<int:pk>/review/", views.need_review, name="need_review"),
    path("tickets/<int:ticket_pk>/to-need/", views.ticket_to_need, name="ticket_to_need"),
    path("tickets/to-need/", views.need_from_number, name="need_from_number"),
]
