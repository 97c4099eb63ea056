from django.urls import path

from gongzhi.core import views_audit as views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
]
