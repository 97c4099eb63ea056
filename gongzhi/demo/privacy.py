"""Demo personal-information rights: the resident login (13800000001, 吴秀英) has agreed to the
privacy notice and given separate consent to the precise location of her reports; she has three
requests in the staff queue of 春园社区 ("worker", 刘敏): a correction in progress, a deletion
filed three weeks ago and not yet answered (overdue, highlighted), and a refused one with its
reason. The retention rules and the register of processing activities are seeded by migration
0002.

Everything goes through the services (audit records included), as the resident and the worker
would on their pages. Idempotent: when she has any request, nothing is added.

Hooked into `make demo` by adding "gongzhi.demo.privacy" to FEATURE_DEMOS in
gongzhi/demo/places/__init__.py.
"""

from __future__ import annotations

import datetime as dt

from django.db import DEFAULT_DB_ALIAS

from gongzhi.core import clock, crypto
from gongzhi.core.models import User
from gongzhi.privacy import services
from gongzhi.privacy.models import PrivacyRequest, Purpose

RESIDENT_PHONE = "13800000001"


def build(scale=None, *, using: str = DEFAULT_DB_ALIAS, progress=None) -> str:
    resident = User.objects.filter(phone_index=crypto.blind_index("phone", RESIDENT_PHONE)).first()
    worker = User.objects.filter(username="worker").first()
    if resident is None or worker is None:
        return "个人信息：未生成（缺少演示居民或社区工作者）"
    if PrivacyRequest.objects.filter(user=resident).exists():
        return _summary(resident)
    services.give_consent(Purpose.NOTICE, actor=resident)
    services.give_consent(Purpose.LOCATION, actor=resident)
    now = clock.now()
    with clock.travel_to(now - dt.timedelta(days=21)):
        services.file_request(
            "deletion",
            "我以前登记的旧手机号码（已停用）",
            "号码已注销，不希望继续保存",
            actor=resident,
        )
    with clock.travel_to(now - dt.timedelta(days=6)):
        refused = services.file_request(
            "deletion", "我的出生日期", "不想让社区知道我的年龄", actor=resident
        )
        services.refuse_request(
            refused,
            "出生日期是居民登记的必要信息（履行法定职责，个人信息保护法第13条），不能删除；"
            "如登记有误可申请更正。",
            actor=worker,
        )
    correction = services.file_request(
        "correction", "我家的门牌号登记为502，应为503", "搬家时登记错了", actor=resident
    )
    services.start_request(correction, actor=worker)
    return _summary(resident)


def _summary(resident) -> str:
    n = PrivacyRequest.objects.filter(user=resident).count()
    return f"个人信息：演示居民的权利申请 {n} 件，同意记录已登记"
