from django.urls import path

from gongzhi.core import views

app_name = "accounts"

urlpatterns = [
    path("disabled/", views.disabled_accounts, name="disabled"),
    path("<int:pk>/reenable/", views.reenable_account, name="reenable"),
    path("second-factor/", views.reset_second_factor, name="second_factor"),
]
