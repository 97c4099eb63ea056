"""Demo ticket ledger (全部工单台账, issue 19): after the demo tickets (bulk-loaded without their
phone-tail index) the index is filled, so that the secretary ("secretary", 张丽华) finds the demo
resident's tickets by 0001, the last four digits of 13800000001. She has two saved filters
(overdue tickets; unsatisfied ratings), and one earlier background export whose file is past
its keeping time (the page says "export again": the gap a user meets).

Idempotent: the index is filled only where missing; the filters and the export are added once.
Hooked into `make demo` through FEATURE_DEMOS in gongzhi/demo/places/__init__.py.
"""

from __future__ import annotations

import datetime as dt

from django.db import DEFAULT_DB_ALIAS, transaction

from gongzhi.core import audit, clock
from gongzhi.core.models import User
from gongzhi.tickets import ledger
from gongzhi.tickets.models import LedgerExport, SavedFilter

FILTERS = (("超期未办结", "overdue=yes"), ("不满意评价", "rating=low&sort=-closed"))


def build(scale=None, *, using: str = DEFAULT_DB_ALIAS, progress=None) -> str:
    filled = ledger.fill_phone_tails(using)
    secretary = User.objects.using(using).filter(username="secretary").first()
    if secretary is None:
        return f"工单台账：已补齐 {filled} 条工单的手机尾号索引（无社区书记登录）"
    with transaction.atomic(using=using):
        added = 0
        for name, query in FILTERS:
            _, created = SavedFilter.objects.using(using).get_or_create(
                user=secretary, name=name, defaults={"query": query}
            )
            added += created
        if not LedgerExport.objects.using(using).filter(user=secretary).exists():
            past = clock.now() - dt.timedelta(days=3)
            LedgerExport.objects.using(using).create(
                user=secretary,
                status=LedgerExport.Status.EXPIRED,
                params={"status": ["closed"]},
                total_rows=0,
                created_at=past,
                finished_at=past,
                expires_at=past + dt.timedelta(hours=ledger.keep_hours()),
            )
        if added and using == DEFAULT_DB_ALIAS:
            audit.record(
                actor=None,
                action="demo_data.ticket_ledger",
                target_repr="工单台账",
                changes={"phone_tails": filled, "saved_filters": added},
            )
    saved = SavedFilter.objects.using(using).filter(user=secretary).count()
    return f"工单台账：补齐 {filled} 条工单的手机尾号索引，社区书记有 {saved} 个已保存的筛选"
