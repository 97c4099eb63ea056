from django.urls import path

from gongzhi.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("download/", views.download, name="download"),
    path("notice/", views.notice_page, name="notice"),
    path("consent/", views.consent, name="consent"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.my_request, name="my_request"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.handle, name="handle"),
    path("register/", views.register, name="register"),
    path("register/export/", views.register_export, name="register_export"),
]
