from django.urls import path

from gongzhi.evaluation import views_reports

app_name = "evaluation_reports"
urlpatterns = [
    path(
        "<int:round_id>/community/<int:place_id>.pdf",
        views_reports.community_pdf,
        name="community_pdf",
    ),
    path(
        "<int:round_id>/community/<int:place_id>.xlsx",
        views_reports.community_xlsx,
        name="community_xlsx",
    ),
    path("<int:round_id>/street/<int:place_id>.pdf", views_reports.street_pdf, name="street_pdf"),
    path(
        "<int:round_id>/street/<int:place_id>.xlsx", views_reports.street_xlsx, name="street_xlsx"
    ),
]
