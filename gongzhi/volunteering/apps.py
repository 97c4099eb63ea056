from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self) -> None:
        from gongzhi.tickets.signals import ticket_stepped
        from gongzhi.volunteering import receivers

        ticket_stepped.connect(
            receivers.ticket_confirmed, dispatch_uid="volunteering.ticket_confirmed"
        )

        from gongzhi.volunteering import privacy_sections  # noqa: F401  (docs/privacy.md)
