from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "gongzhi.estates"
    label = "estates"
    verbose_name = _("Owners' committees and property companies")

    def ready(self) -> None:
        from gongzhi.deliberation import selectors as deliberation
        from gongzhi.estates import (
            joint,
            privacy_sections,  # noqa: F401  (docs/privacy.md)
            ratings,
            routing,
            selectors,
        )
        from gongzhi.microprojects import services as microprojects
        from gongzhi.party import selectors as party
        from gongzhi.tickets import routing as ticket_routing

        microprojects.set_payee_check(ratings.barred_payee)
        ticket_routing.set_property_finder(routing.company_post)
        deliberation.set_joint_invitees(joint.invitees)
        party.add_unorganised_provider(selectors.unorganised_for_party)
        _register_indicators()


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.estates.indicators import register_all

    register_all()
