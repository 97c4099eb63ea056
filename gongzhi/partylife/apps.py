from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartylifeConfig(AppConfig):
    name = "gongzhi.partylife"
    label = "partylife"
    verbose_name = _("Party organisational life")

    def ready(self) -> None:
        from gongzhi.core import audit_titles

        audit_titles.register(
            {
                "partylife.pledge_make": _("Pledge made"),
                "partylife.pledge_change": _("Pledge changed"),
                "partylife.pledge_review": _("Pledge reviewed"),
                "partylife.area_assign": _("Responsibility area assigned"),
                "partylife.area_end": _("Responsibility area ended"),
                "partylife.letter": _("Yearly letter to the workplace downloaded"),
            }
        )
