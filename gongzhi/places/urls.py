from django.urls import path

from gongzhi.places import views, views_premises

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/households/", views.households, name="households"),
    path("<int:pk>/public/", views.community_public, name="community_public"),
    path("households/<int:pk>/", views.household, name="household"),
    path("<int:pk>/rooms/", views_premises.rooms, name="rooms"),
    path("<int:pk>/rooms/<int:room_pk>/", views_premises.room_edit, name="room_edit"),
    path("<int:pk>/rooms/<int:room_pk>/delete/", views_premises.room_delete, name="room_delete"),
    path("<int:pk>/staff/", views_premises.staff, name="staff"),
    path("<int:pk>/staff/<int:post_pk>/", views_premises.staff_terms, name="staff_terms"),
]
