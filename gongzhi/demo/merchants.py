"""Demo merchants: a charity supermarket (爱心超市) and three merchants in the first community
(春园社区), with goods (one with a single piece left), the `merchant` login 孙立新 selling for
the supermarket and the convenience store, and resident 13800000001 (吴秀英) with an opening
balance, one fulfilled and one pending redemption.

The redemptions go through the services (the ledger transfer, the code, the audit record), as
a resident and the merchant would on their phones. Idempotent: when the supermarket exists,
nothing is added."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, ledger
from gongzhi.core.models import LedgerCurrency, LedgerOwnerKind, Post, User
from gongzhi.core.roles import Role
from gongzhi.merchants import services
from gongzhi.merchants.models import Item, Merchant, MerchantKind, Redemption
from gongzhi.people.selectors import resident_of

SUPERMARKET = "春园爱心超市"
OPENING_BALANCE = 800  # demo points, given through the ledger from the community's issuer
MERCHANTS = (
    (
        SUPERMARKET,
        MerchantKind.CHARITY_SUPERMARKET,
        "春园社区党群服务中心一楼",
        True,
        (
            ("金龙鱼食用油 5L", 300, 12),
            ("东北大米 10kg", 200, 20),
            ("洗衣液 2kg", 80, 1),
            ("毛巾", 30, 40),
        ),
    ),
    (
        "乐坪便民超市",
        MerchantKind.SHOP,
        "春园路 18 号",
        True,
        (("酱油 500ml", 40, 30), ("鸡蛋一盒", 60, 25)),
    ),
    ("红梅理发店", MerchantKind.SHOP, "春园路 26 号", False, (("老人理发一次", 100, 99),)),
    ("诚信家电维修", MerchantKind.SHOP, "春园路 33 号", False, (("上门维修一次", 150, 10),)),
)


def _community():
    post = (
        Post.objects.filter(user__username="merchant", role=Role.MERCHANT, is_active=True)
        .select_related("place")
        .first()
    )
    return post.place if post else None


def build(scale, *, using: str = DEFAULT_DB_ALIAS, progress=None) -> str:
    community = _community()
    seller = User.objects.filter(username="merchant").first()
    if community is None or seller is None:
        return "Merchants: skipped (no demo community)"
    if Merchant.objects.filter(community=community, name=SUPERMARKET).exists():
        return _summary(community)
    with transaction.atomic():
        for name, kind, address, sells, goods in MERCHANTS:
            merchant = Merchant.objects.create(
                name=name,
                kind=kind,
                community=community,
                address=address,
                place_path=community.path,
            )
            if sells:
                merchant.users.add(seller)
            Item.objects.bulk_create(
                Item(merchant=merchant, name=g, price=p, stock=s, place_path=community.path)
                for g, p, s in goods
            )
        audit.record(
            actor=None,
            action="demo_data.merchants",
            target=community,
            place_path=community.path,
            changes={"merchants": len(MERCHANTS)},
        )
    _redemptions(community, seller)
    return _summary(community)


def _redemptions(community, seller) -> None:
    try:
        user = User.objects.get_by_phone("13800000001")
    except User.DoesNotExist:
        return
    resident = resident_of(user)
    if resident is None:
        return
    issuer = ledger.account_for(
        LedgerCurrency.POINTS, LedgerOwnerKind.ISSUER, community.pk, place_path=community.path
    )
    ledger.transfer(
        debit=issuer,
        credit=services.resident_account(resident),
        amount=OPENING_BALANCE,
        reason="demo",
        reason_text="demo opening balance",
        idempotency_key=f"demo-opening:{resident.pk}",
    )
    towel = Item.objects.get(merchant__community=community, name="毛巾")
    rice = Item.objects.get(merchant__community=community, name="东北大米 10kg")
    done = services.redeem(towel.pk, actor=user, quantity=2, request_key="demo-towel")
    services.confirm(done.code, actor=seller)
    services.redeem(rice.pk, actor=user, request_key="demo-rice")


def _summary(community) -> str:
    merchants = Merchant.objects.filter(community=community).count()
    items = Item.objects.filter(merchant__community=community).count()
    redemptions = Redemption.objects.filter(merchant__community=community).count()
    return _(
        "Merchants: %(merchants)s merchants, %(items)s items, %(redemptions)s redemptions "
        "in %(community)s"
    ) % {
        "merchants": merchants,
        "items": items,
        "redemptions": redemptions,
        "community": community.name,
    }
