from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "gongzhi.party"
    label = "party"
    verbose_name = _("Party organisation")

    def ready(self):
        from gongzhi.party.selectors import grid_coverage
        from gongzhi.places import compliance

        compliance.set_party_provider(grid_coverage)
