from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = _("Community funds and money")

    def ready(self) -> None:
        from gongzhi.core import audit_titles

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
            },
            {"funds": _("Community funds")},
        )
