from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "gongzhi.privacy"
    label = "privacy"
    verbose_name = _("Personal information")

    def ready(self) -> None:
        # Privacy's own sections of "my personal information" (PIPL art. 45: consents,
        # requests); every other app registers its own from its ready() (docs/privacy.md).
        from gongzhi.privacy import sections, tasks  # noqa: F401
