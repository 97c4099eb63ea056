from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "gongzhi.care"
    label = "care"
    verbose_name = _("Care and outreach")

    def ready(self) -> None:
        from gongzhi.care import privacy_sections  # noqa: F401  (docs/privacy.md)
        from gongzhi.core import audit_titles

        audit_titles.register(
            {
                "care.visit_plan": _("Care visit planned"),
                "care.visit_reassign": _("Care visitor changed"),
                "care.visit_record": _("Care visit recorded"),
                "care.visit_ticket": _("Care visit need made a ticket"),
                "care.round_send": _("Verification round sent"),
                "care.round_check": _("Household checked in a verification round"),
                "care.donation_record": _("Donation recorded"),
                "care.service_point_save": _("Service point saved"),
            }
        )
