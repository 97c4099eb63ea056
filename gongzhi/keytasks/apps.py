from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeytasksConfig(AppConfig):
    name = "gongzhi.keytasks"
    label = "keytasks"
    verbose_name = _("Key tasks and supervision")
