from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicroprojectsConfig(AppConfig):
    name = "gongzhi.microprojects"
    label = "microprojects"
    verbose_name = _("Micro-projects")

    def ready(self) -> None:
        _register_indicators()


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.microprojects.indicators import register_all

    register_all()
