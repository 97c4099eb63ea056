from django.urls import path

from gongzhi.people import views_import as views

app_name = "people_import"
urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/errors.xlsx", views.errors, name="errors"),
]
