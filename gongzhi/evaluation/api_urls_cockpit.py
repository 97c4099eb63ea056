"""The cockpit's data endpoint, mounted under /api/v1/ by gongzhi/api_urls.py."""

from django.urls import path

from gongzhi.evaluation.api_cockpit import CockpitDataView

urlpatterns = [
    path("cockpit/<int:pk>/", CockpitDataView.as_view(), name="api-cockpit"),
]
