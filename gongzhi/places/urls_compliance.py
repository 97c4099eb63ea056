from django.urls import path

from gongzhi.places import views_compliance as views

app_name = "compliance"
urlpatterns = [
    path("", views.index, name="list"),
    path("<int:pk>/", views.community, name="community"),
]
