from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gongzhi.demo"
    label = "demo"
    verbose_name = "Demo data"
