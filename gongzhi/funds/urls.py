from django.urls import path

from gongzhi.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.fund, name="fund"),
    path("<int:pk>/entries.xlsx", views.fund_xlsx, name="fund_xlsx"),
    path("services/", views.purchases, name="purchases"),
    path("services/<int:pk>/remove/", views.remove_purchase, name="remove_purchase"),
    path("lines/", views.lines, name="lines"),
    path("lines/export.xlsx", views.lines_xlsx, name="lines_xlsx"),
    path("lines/<int:pk>/", views.line, name="line"),
    path("public/", views.public_funds, name="public_funds"),
    path("public/<int:pk>/", views.public_fund, name="public_fund"),
]
