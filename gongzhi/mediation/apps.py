from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    label = "mediation"
    verbose_name = _("People's mediation")

    def ready(self) -> None:
        from gongzhi.mediation import privacy_sections  # noqa: F401  (docs/privacy.md)
