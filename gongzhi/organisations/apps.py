from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "gongzhi.organisations"
    label = "organisations"
    verbose_name = _("Social organisations")

    def ready(self) -> None:
        _register_indicators()


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.organisations.indicators import register_all

    register_all()
