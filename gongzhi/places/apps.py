from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "gongzhi.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        # The kernel's pages read the place tree through core.directory (core never imports
        # places, which sits above it).
        from gongzhi.core import directory
        from gongzhi.places import selectors

        directory.install(selectors)
