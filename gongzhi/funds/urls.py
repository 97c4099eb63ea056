from django.urls import path

from gongzhi.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.fund, name="fund"),
    path("services/", views.purchases, name="purchases"),
    path("services/<int:pk>/remove/", views.remove_purchase, name="remove_purchase"),
    path("lines/", views.lines, name="lines"),
    path("lines/<int:pk>/", views.line, name="line"),
    path("public/", views.public_funds, name="public_funds"),
    path("public/<int:pk>/", views.public_fund, name="public_fund"),
]
