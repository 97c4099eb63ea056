from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnersConfig(AppConfig):
    name = "gongzhi.owners"
    label = "owners"
    verbose_name = _("Owners' votes")

    def ready(self) -> None:
        from gongzhi.owners import privacy_sections  # noqa: F401  (docs/privacy.md)
