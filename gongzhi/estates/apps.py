from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "gongzhi.estates"
    label = "estates"
    verbose_name = _("Owners' committees and property companies")

    def ready(self) -> None:
        from gongzhi.estates import (
            privacy_sections,  # noqa: F401  (docs/privacy.md)
            ratings,
        )
        from gongzhi.microprojects import services as microprojects

        microprojects.set_payee_check(ratings.barred_payee)
