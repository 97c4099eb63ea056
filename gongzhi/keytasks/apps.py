from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeytasksConfig(AppConfig):
    name = "gongzhi.keytasks"
    label = "keytasks"
    verbose_name = _("Key tasks and supervision")

    def ready(self) -> None:
        from gongzhi.core import audit_titles

        audit_titles.register(
            {
                "keytasks.supervise": _("Supervision notice issued"),
                "keytasks.talk": _("Talk recorded"),
                "keytasks.escalate": _("Key task escalated"),
                "keytasks.remind": _("Key task deadline reminder"),
                "keytasks.inspection": _("Inspection recorded"),
            }
        )
