from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The kernel's sections of "my personal information" (docs/privacy.md "Sections").
        from gongzhi.core import checks, privacy_sections  # noqa: F401
