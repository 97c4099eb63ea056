from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = _("Community funds and money")

    def ready(self) -> None:
        from gongzhi.core import audit_titles
        from gongzhi.funds import services
        from gongzhi.microprojects import services as microprojects

        # A micro-project round's budget is booked on the benefit-project funding line
        # (microprojects does not import funds: the funds app installs the booking).
        microprojects.set_round_budget_hook(services.book_round_budget)

        audit_titles.register(
            {
                "funds.fund_create": _("Community fund created"),
                "funds.donation": _("Donation to a community fund recorded"),
                "funds.grant": _("Grant from a community fund recorded"),
                "funds.purchase": _("Purchased service recorded"),
                "funds.purchase_remove": _("Purchased service removed"),
                "funds.lines_open": _("Funding lines opened"),
                "funds.receipt": _("Funding received on a line"),
                "funds.spending": _("Spending booked on a funding line"),
                "funds.notice": _("Financial notice made from the funding lines"),
                "funds.round_budget": _("Micro-project round budget booked on a funding line"),
            },
            {"funds": _("Community funds")},
        )
