from django.urls import path

from gongzhi.merchants import views

app_name = "merchants"
urlpatterns = [
    path("", views.shop, name="shop"),
    path("items/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("mine/", views.mine, name="mine"),
    path("redemptions/<int:pk>/", views.redemption_detail, name="redemption"),
    path("redemptions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("desk/", views.desk, name="desk"),
    path("desk/<int:pk>/items/", views.item_add, name="item_add"),
    path("desk/items/<int:pk>/", views.item_edit, name="item_edit"),
    path("manage/", views.manage, name="manage"),
    path("manage/<int:pk>/toggle/", views.merchant_toggle, name="toggle"),
]
