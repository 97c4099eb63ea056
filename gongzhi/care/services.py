"""Every write of care and outreach: one transaction, the permission check (`access.require`:
404 outside the actor's scope, 403 inside it without the right), one audit record; a refusal
raises a ValidationError with a clear message and writes nothing.

Household notices (issue 24 item 3):
- `send_notice`: staff with `care.notice_send` send a notice to every household of a
  building, estate, grid,
  community, street or district — or to those with a resident carrying a care tag. The
  deliveries (one per household) are written by one INSERT … SELECT, so memory does not grow
  with the number of households (bench/care_notices.py: 350,000 households). The building
  heads of the place are told through the kernel's notification centre.
- `read_notice`: a resident confirms on the phone; the household's delivery is stamped by a
  conditional UPDATE (`read_at IS NULL`), so the receipt is recorded exactly once per household
  even when two members confirm at the same moment.
- `text_unread` / `sweep_urgent`: an urgent notice texts the households still unread once its
  `sms_due_at` has passed (`care.urgent_sms_after_minutes` of the place's profile), at most
  `care.urgent_sms_max_households`, through the kernel's SMS backend (gongzhi/core/sms.py),
  once: the notice row is locked and stamped `sms_done_at`, each texted delivery `sms_at`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.care import selectors
from gongzhi.care.models import Delivery, Notice, NoticeKind
from gongzhi.core import access, audit, clock, crypto, inputs, profiles, sms
from gongzhi.core.models import Post, User
from gongzhi.core.notifications import notify
from gongzhi.core.roles import Action, Role
from gongzhi.people.models import Relation, Resident, ResidentTag, Tag
from gongzhi.places.models import Household, Place, PlaceKind

logger = logging.getLogger(__name__)

SEND = Action.CARE_NOTICE_SEND
VIEW = Action.CARE_NOTICE_VIEW
READ = Action.CARE_NOTICE_READ
# A typhoon warning may go to a whole street or district; a water cut to one building.
TARGET_KINDS = tuple(PlaceKind.values)
SMS_AFTER_KEY = "care.urgent_sms_after_minutes"
SMS_MAX_KEY = "care.urgent_sms_max_households"
SMS_TEXT_MAX = 200


def setting(place: Place, key: str) -> int:
    """The value of a care key for `place`: its effective profile's, else the platform default."""
    profile = profiles.effective_profile(place)
    value = profile.get(key) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[key].default
    return int(value or 0)


# --------------------------------------------------------------------------- templates


def template(kind: str) -> tuple[str, str]:
    """The ready title and text of a notice kind (water, power, weather); blanks to fill."""
    texts: dict[str, tuple[str, str]] = {
        NoticeKind.WATER: (
            _("Water cut notice"),
            _(
                "Because of repairs to the water mains, the water supply will be cut from ____ "
                "to ____. Please store water in advance. Questions: call the community office."
            ),
        ),
        NoticeKind.POWER: (
            _("Power cut notice"),
            _(
                "Because of work on the power lines, the electricity will be cut from ____ to "
                "____. Lifts stop during the cut. Please look in on elderly neighbours."
            ),
        ),
        NoticeKind.WEATHER: (
            _("Weather warning"),
            _(
                "The weather service has issued a ____ warning for ____. Stay indoors, secure "
                "balcony items and keep away from trees and hoardings. Call the community "
                "office if you need help."
            ),
        ),
    }
    return texts.get(kind, ("", ""))


# --------------------------------------------------------------------------- sending


def target_households(place: Place, care_tag: str = "") -> QuerySet[Household]:
    """The households a notice to `place` reaches (only those with an active resident carrying
    `care_tag`, when given)."""
    qs = Household.objects.filter(place_path__under=place.path)
    if care_tag:
        qs = qs.filter(
            Exists(
                ResidentTag.objects.filter(
                    tag=care_tag, resident__household=OuterRef("pk"), resident__is_active=True
                )
            )
        )
    return qs


def _insert_deliveries(notice: Notice, households: QuerySet[Household]) -> int:
    """One delivery per household, written by the database in one INSERT … SELECT."""
    picked_qs = households.order_by().annotate(hid=F("pk"), hpath=F("place_path"))
    select, params = picked_qs.values_list("hid", "hpath").query.sql_with_params()
    qn = connection.ops.quote_name
    # Names are quoted model names, the SELECT is Django's own, every value is a parameter.
    table = qn(Delivery._meta.db_table)
    columns = f"{qn('notice_id')}, {qn('household_id')}, {qn('place_path')}"
    picked = f"sub.{qn('hid')}, sub.{qn('hpath')}"
    sql = f"INSERT INTO {table} ({columns}) SELECT %s, {picked} FROM ({select}) sub"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [notice.pk, *params])
        return int(cursor.rowcount)


def send_notice(
    place: Place,
    *,
    actor: User,
    kind: str,
    title: str,
    body: str,
    urgent: bool = False,
    care_tag: str = "",
) -> Notice:
    if place.kind not in TARGET_KINDS:
        raise ValidationError({"place": _("Choose the place whose households get the notice.")})
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": _("Choose what the notice is about.")})
    if care_tag and care_tag not in Tag.values:
        raise ValidationError({"care_tag": _("Choose a care tag from the list.")})
    title = inputs.text(title, "title", 100)
    body = inputs.text(body, "body", 1000)
    if "____" in title or "____" in body:
        raise ValidationError({"body": _("Fill in the blanks (____) of the template first.")})
    with transaction.atomic():
        grant = access.require(actor, SEND, place.path, read_action=VIEW)
        now = clock.now()
        due = now + dt.timedelta(minutes=setting(place, SMS_AFTER_KEY)) if urgent else None
        notice = Notice.objects.create(
            place=place,
            place_path=place.path,
            kind=kind,
            title=title,
            body=body,
            care_tag=care_tag,
            urgent=urgent,
            sms_due_at=due,
            sent_by=actor,
            sent_at=now,
        )
        count = _insert_deliveries(notice, target_households(place, care_tag))
        if count == 0:
            raise ValidationError(
                {
                    "place": _("No household of %(place)s matches: nothing was sent.")
                    % {"place": place}
                }
            )
        notice.households = count
        notice.save(update_fields=["households"])
        audit.record(
            actor=actor,
            action="care.notice_send",
            target=notice,
            place_path=notice.place_path,
            post=grant.post,
            changes={
                "kind": kind,
                "title": title,
                "urgent": urgent,
                "care_tag": care_tag,
                "households": count,
            },
        )
        heads = Post.objects.filter(
            role=Role.BUILDING_HEAD, is_active=True, place__path__under=place.path
        ).values_list("user_id", flat=True)
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Notice to the households of your building: %(title)s") % {"title": title}
        notify(
            (uid for uid in heads if uid != actor.pk),
            verb="care.notice",
            text=text,
            link=f"/care/notices/{notice.pk}/knock/",
            reference=_("Notice %(n)s") % {"n": notice.pk},
        )
    return notice


# --------------------------------------------------------------------------- reading


def read_notice(notice: Notice, *, actor: User) -> bool:
    """The actor confirms their household has read the notice. True when this call recorded the
    household's receipt, False when the household had already read it."""
    household = selectors.household_of(actor)
    if household is None:
        raise ValidationError(_("Your login is not linked to a household in the registry."))
    with transaction.atomic():
        grant = access.require(
            actor, READ, household.place_path, read_action=Action.COMMUNITY_PUBLIC_VIEW
        )
        delivery = Delivery.objects.filter(notice=notice, household=household).first()
        if delivery is None:
            raise Http404
        stamped = Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(
            read_at=clock.now(), read_by=actor
        )
        if stamped:
            audit.record(
                actor=actor,
                action="care.notice_read",
                target=notice,
                place_path=household.place_path,
                post=grant.post,
                changes={"household": household.pk},
            )
    return bool(stamped)


# --------------------------------------------------------------------------- urgent SMS


def _sms_text(notice: Notice) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("[Community notice] %(title)s: %(body)s") % {
            "title": notice.title,
            "body": notice.body,
        }
    return text[:SMS_TEXT_MAX]


def _phone_of_household() -> Subquery:
    """The encrypted phone of one active resident of the household: the head's, else the
    first registered one with a phone."""
    return Subquery(
        Resident.objects.filter(household_id=OuterRef("household_id"), is_active=True)
        .exclude(phone_encrypted="")
        .annotate(
            head_first=Case(
                When(relation=Relation.HEAD, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("head_first", "id")
        .values("phone_encrypted")[:1]
    )


def _text(notice_id: int, *, actor: User | None, post: Post | None) -> int:
    """Text the unread households of a due urgent notice, once. Returns how many were texted."""
    now = clock.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("place").get(pk=notice_id)
        if not notice.urgent or notice.sms_done_at is not None:
            return 0
        if notice.sms_due_at is None or notice.sms_due_at > now:
            raise ValidationError(
                _("The SMS goes out at %(at)s, when households have had time to read the notice.")
                % {"at": timezone.localtime(notice.sms_due_at).strftime("%Y-%m-%d %H:%M")}
            )
        limit = setting(notice.place, SMS_MAX_KEY)
        rows = (
            Delivery.objects.filter(notice=notice, read_at__isnull=True, sms_at__isnull=True)
            .annotate(phone=_phone_of_household())
            .order_by("pk")
            .values_list("pk", "phone")
        )
        chosen: list[int] = []
        tokens: list[str] = []
        skipped = 0
        for pk, token in rows.iterator(chunk_size=2000):
            if not token or len(chosen) >= limit:
                skipped += 1
                continue
            chosen.append(pk)
            tokens.append(token)
        for start in range(0, len(chosen), 1000):
            Delivery.objects.filter(pk__in=chosen[start : start + 1000]).update(sms_at=now)
        notice.sms_done_at = now
        notice.sms_sent = len(chosen)
        notice.sms_skipped = skipped
        notice.save(update_fields=["sms_done_at", "sms_sent", "sms_skipped"])
        audit.record(
            actor=actor,
            action="care.notice_sms",
            target=notice,
            place_path=notice.place_path,
            post=post,
            changes={"texted": len(chosen), "not_texted": skipped},
        )
        with translation.override(settings.LANGUAGE_CODE):
            report = _(
                "Urgent notice %(title)s: %(sent)s unread households texted, %(skipped)s "
                "without a phone or over the limit — see the door-knock list."
            ) % {"title": notice.title, "sent": len(chosen), "skipped": skipped}
        notify(
            [notice.sent_by_id],
            verb="care.notice_sms",
            text=report,
            link=f"/care/notices/{notice.pk}/",
            reference=_("Notice %(n)s") % {"n": notice.pk},
        )
        message = _sms_text(notice)
        transaction.on_commit(lambda: _send_texts(tokens, message))
    return len(chosen)


def _send_texts(tokens: list[str], message: str) -> None:
    backend = sms.backend()
    for token in tokens:
        try:
            backend.send(crypto.decrypt(token), message)
        except Exception:  # noqa: BLE001 — one failing text must not stop the rest
            logger.exception("care notice: an SMS could not be sent")


def text_unread(notice: Notice, *, actor: User) -> int:
    """Staff send the urgent SMS now (once it is due) instead of waiting for the sweep."""
    grant = access.require(actor, SEND, notice.place_path, read_action=VIEW)
    if not notice.urgent:
        raise ValidationError(_("Only an urgent notice is sent by SMS."))
    if notice.sms_done_at is not None:
        raise ValidationError(_("The SMS of this notice has already gone out."))
    return _text(notice.pk, actor=actor, post=grant.post)


def sweep_urgent() -> int:
    """The periodic sweep: text the unread households of every urgent notice now due."""
    due = Notice.objects.filter(
        urgent=True, sms_done_at__isnull=True, sms_due_at__lte=clock.now()
    ).values_list("pk", flat=True)
    return sum(_text(pk, actor=None, post=None) for pk in list(due[:500]))


from gongzhi.care.giving import (  # noqa: E402  (爱心档案 and the service circle)
    record_donation,
    save_service_point,
)
from gongzhi.care.opinions import (  # noqa: E402  (opinions through WeChat and DingTalk)
    make_ticket,
    mark_handled,
    new_bind_code,
    receive,
    save_channel,
    unbind,
)
from gongzhi.care.rentals import (  # noqa: E402  (the rented homes section, one import name)
    end_tenancy,
    extend_lease,
    mark_rented,
    register_tenant,
)
from gongzhi.care.rounds import (  # noqa: E402  (the verification rounds, one import name)
    check_household,
    send_round,
)
from gongzhi.care.talents import (  # noqa: E402  (the talent and skills base)
    add_skill_term,
    save_talent,
    set_backbone,
    withdraw_talent,
)
from gongzhi.care.visits import (  # noqa: E402  (the care visits section, one import name)
    PLAN_AT_ONCE,
    notify_overdue,
    plan_care_list,
    plan_visits,
    raise_ticket,
    reassign_visitor,
    record_visit,
)

__all__ = [
    "add_skill_term",
    "make_ticket",
    "mark_handled",
    "new_bind_code",
    "receive",
    "save_channel",
    "save_talent",
    "set_backbone",
    "unbind",
    "withdraw_talent",
    "record_donation",
    "save_service_point",
    "check_household",
    "send_round",
    "PLAN_AT_ONCE",
    "end_tenancy",
    "extend_lease",
    "mark_rented",
    "notify_overdue",
    "plan_care_list",
    "plan_visits",
    "raise_ticket",
    "reassign_visitor",
    "read_notice",
    "record_visit",
    "register_tenant",
    "send_notice",
    "sweep_urgent",
    "template",
    "text_unread",
]
