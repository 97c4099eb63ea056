from django.urls import path

from gongzhi.places import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/households/", views.households, name="households"),
    path("<int:pk>/public/", views.community_public, name="community_public"),
    path("households/<int:pk>/", views.household, name="household"),
]
