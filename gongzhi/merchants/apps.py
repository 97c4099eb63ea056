from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "gongzhi.merchants"
    label = "merchants"
    verbose_name = _("Merchants and redemption")

    def ready(self) -> None:
        from gongzhi.merchants import privacy_sections  # noqa: F401  (docs/privacy.md)
