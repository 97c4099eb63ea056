from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "gongzhi.privacy"
    label = "privacy"
    verbose_name = _("Personal information")

    def ready(self):
        # The sections of "my personal information" (PIPL art. 45). The domain apps' exporters
        # live in privacy/sections.py until issue 11 (layering) moves each into its app.
        from gongzhi.privacy import sections, tasks  # noqa: F401
