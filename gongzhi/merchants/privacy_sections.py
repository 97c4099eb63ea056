"""Merchants' section of "my personal information" (PIPL art. 45): the person's redemptions.
Registered from `MerchantsConfig.ready()`; the positions are listed in docs/privacy.md
"Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.merchants.selectors import my_redemptions


def redemptions(person: Person) -> list[Row]:
    return [
        {
            _("Item"): r.item.name,
            _("Merchant"): r.merchant.name,
            _("Quantity"): r.quantity,
            _("Points"): r.amount,
            _("Status"): r.get_status_display(),
            _("Date"): r.created_at,
        }
        for r in my_redemptions(person.resident)
    ]


register("redemptions", gettext_lazy("Redemptions"), redemptions, order=80)
