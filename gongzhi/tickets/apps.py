from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "gongzhi.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        # The party registry's vanguard index counts resolved tickets without importing tickets.
        from gongzhi.party import vanguard
        from gongzhi.tickets.selectors import resolved_by_handlers

        vanguard.set_ticket_provider(resolved_by_handlers)

        from gongzhi.tickets import privacy_sections  # noqa: F401  (docs/privacy.md)
