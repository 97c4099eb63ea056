"""Demo of the talent and skills base and the opinion channels (issue 24 row 002-15), called by
`gongzhi/demo/care.py`. In the demo community (the `worker` login's):

- a dozen residents in the talent base with skills from the vocabulary and their own words,
  entered by the `worker` login on written or in-person consent — three of them backbone
  people with a reason — plus the resident 13800000001, who listed themselves on the phone; a
  community term of its own (剪纸); and one person who withdrew (entry cleared, off every
  search) — the gap a withdrawal leaves;
- the community's WeChat official account and DingTalk robot channels set up by the `secretary`
  login (random secrets: the demo cannot receive real platform calls, the tests sign them);
- opinions from both channels, through the same `receive` the callbacks use: the resident
  13800000001 linked their WeChat with a one-time code, so their message carries their name;
  one opinion turned into a ticket by the worker, one closed with a note, the rest new.

Idempotent: nothing is added when the community already has a talent entry."""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.care import services
from gongzhi.care.models import OpinionStatus, SkillTerm, Talent
from gongzhi.core import crypto
from gongzhi.core.models import User
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets.models import Category, Kind

# (skills, own words, willingness, availability, backbone reason)
TALENTS = (
    (["理发"], "给行动不便的老人上门理发", "volunteer", "每月第一个周六上午", "理发志愿队召集人"),
    (["家电维修", "水电维修"], "", "on_call", "工作日晚上", ""),
    (
        ["法律咨询"],
        "退休法官，熟悉婚姻家庭纠纷",
        "volunteer",
        "周三下午",
        "居民议事会成员、调解骨干",
    ),
    (["医疗护理"], "社区医院退休护士，会量血压、换药", "volunteer", "上午", ""),
    (["心理咨询"], "国家二级心理咨询师", "paid", "预约", ""),
    (["书画"], "楷书、春联", "volunteer", "春节前", ""),
    (["文艺表演"], "广场舞领队", "volunteer", "每天晚上", "广场舞队队长，组织楼道活动"),
    (["教育辅导"], "初中数学", "on_call", "周末", ""),
    (["电脑手机"], "教老人用手机挂号、付款", "volunteer", "周二周四下午", ""),
    (["摄影"], "", "paid", "周末", ""),
    (["厨艺"], "面点", "volunteer", "节日", ""),
    (["园艺"], "阳台绿化", "on_call", "", ""),
)
OPINIONS = (
    # (platform, sender, text)
    ("wechat", "oDemoUser01", "3栋2单元楼道灯坏了一周了，晚上老人上下楼不安全。"),
    ("wechat", "oDemoUser02", "建议在小区东门增设电动车充电桩，现在很多人在楼道充电。"),
    ("dingtalk", "staff_demo_03", "周末广场舞音响太大，希望调低音量或者换个时间。"),
    ("dingtalk", "staff_demo_04", "感谢社区组织的义诊活动，希望每个季度都办一次。"),
    ("wechat", "oDemoUser05", "垃圾分类投放点晚上没有灯，能否加装照明？"),
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def build(community: Place, worker: User) -> str:
    if Talent.objects.filter(place_path__under=community.path).exists():
        return ""
    people = list(
        Resident.objects.filter(
            is_active=True, household__isnull=False, place_path__under=community.path
        )
        .exclude(user__isnull=False)
        .order_by("id")[: len(TALENTS) + 1]
    )
    terms = {t.name: t for t in SkillTerm.objects.filter(community__isnull=True)}
    listed = 0
    with transaction.atomic():
        own_term = SkillTerm.objects.filter(community=community, name="剪纸").first()
        if own_term is None:
            own_term = services.add_skill_term(actor=worker, community=community, name="剪纸")
        for i, (person, spec) in enumerate(zip(people, TALENTS, strict=False)):
            names, words, willingness, when, backbone = spec
            skills = [terms[n] for n in names if n in terms] + ([own_term] if i == 5 else [])
            try:
                talent = services.save_talent(
                    person,
                    actor=worker,
                    skills=skills,
                    specialty=words,
                    willingness=willingness,
                    availability=when,
                    consent=True,
                    consent_way="written" if i % 2 else "in_person",
                )
                if backbone:
                    services.set_backbone(talent, actor=worker, backbone=True, reason=backbone)
            except (ValidationError, Http404, PermissionDenied):
                continue
            listed += 1
        if len(people) > len(TALENTS):  # one who withdrew: listed, then taken back
            try:
                gone = services.save_talent(
                    people[-1],
                    actor=worker,
                    skills=[terms["驾驶"]] if "驾驶" in terms else [],
                    specialty="可以开车送老人看病",
                    consent=True,
                    consent_way="written",
                )
                services.withdraw_talent(gone, actor=worker, reason="本人电话要求退出达人库")
            except (ValidationError, Http404, PermissionDenied):
                pass
        me = User.objects.filter(phone_index=crypto.blind_index("phone", "13800000001")).first()
        mine = Resident.objects.filter(user=me, is_active=True).first() if me else None
        if me is not None and mine is not None:
            try:
                services.save_talent(
                    mine,
                    actor=me,
                    skills=[terms[n] for n in ("电脑手机",) if n in terms],
                    specialty="会做简单的短视频",
                    willingness="volunteer",
                    availability="周末",
                    consent=True,
                )
                listed += 1
            except (ValidationError, Http404, PermissionDenied):
                pass
    opinions = _opinions(community, worker, me, mine)
    return _("%(talents)s in the talent base, %(opinions)s opinions from WeChat and DingTalk") % {
        "talents": listed,
        "opinions": opinions,
    }


def _opinions(community: Place, worker: User, me: User | None, mine: Resident | None) -> int:
    secretary = _user("secretary") or worker
    try:
        with transaction.atomic():
            wechat, _token = services.save_channel(
                actor=secretary, community=community, platform="wechat"
            )
            dingtalk, _none = services.save_channel(
                actor=secretary,
                community=community,
                platform="dingtalk",
                secret=crypto.blind_index("demo-dingtalk", community.path)[:40],
            )
    except (ValidationError, Http404, PermissionDenied):
        return 0
    channels = {"wechat": wechat, "dingtalk": dingtalk}
    made = []
    for n, (platform, sender, text) in enumerate(OPINIONS):
        received = services.receive(
            channels[platform], message_id=f"demo-{n}", sender_id=sender, text=text
        )
        if received.opinion is not None:
            made.append(received.opinion)
    if me is not None and mine is not None:
        try:
            code, _expires = services.new_bind_code(actor=me)
            services.receive(
                wechat, message_id="demo-bind", sender_id="oDemoMe", text=f"绑定 {code}"
            )
            named = services.receive(
                wechat,
                message_id="demo-named",
                sender_id="oDemoMe",
                text="我家楼下的健身器材坏了，能不能修一下？",
            )
            if named.opinion is not None:
                made.append(named.opinion)
        except (ValidationError, Http404, PermissionDenied):
            pass
    category = Category.objects.filter(is_active=True).order_by("id").first()
    grid = Place.objects.filter(kind=PlaceKind.GRID, path__under=community.path).order_by("path")
    first_grid = grid.first()
    if made and category is not None and first_grid is not None:
        with contextlib.suppress(ValidationError, Http404, PermissionDenied):
            services.make_ticket(
                made[0], actor=worker, category=category, kind=Kind.SUGGESTION, place=first_grid
            )
    if len(made) > 3 and made[3].status == OpinionStatus.NEW:
        with contextlib.suppress(ValidationError, Http404, PermissionDenied):
            services.mark_handled(made[3], actor=worker, note="已在居民群回复感谢，转卫生服务站")
    return len(made)
