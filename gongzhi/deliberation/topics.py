"""Deliberation: topics. Raised by residents, supported until they reach the agenda, opinions
(hidden by a moderator with a reason), status set by staff.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.deliberation._common import (
    CLOSING,
    OPINION_MAX,
    TEXT_MAX,
    TITLE_MAX,
    TOPIC_PLACE_KINDS,
    _in_site_language,
    _manage,
    _notify,
    _reason,
    _text,
    community_of,
    setting,
)
from gongzhi.deliberation.models import (
    Opinion,
    Topic,
    TopicOrigin,
    TopicStatus,
    TopicSupport,
)
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place

# --------------------------------------------------------------------------- topics


def raise_topic(
    *,
    actor: User,
    place: Place,
    title: str,
    text: str,
    origin: str = TopicOrigin.RESIDENT,
    origin_name: str = "",
) -> Topic:
    """A resident, staff member or party organisation raises a topic in a community, grid,
    estate or building (003 annex 19)."""
    if place.kind not in TOPIC_PLACE_KINDS:
        raise ValidationError(
            {"place": _("A topic belongs to a community, a grid, an estate or a building.")}
        )
    grant = access.require(actor, Action.DELIBERATION_JOIN, place.path)
    title = _text(title, "title", TITLE_MAX)
    text = _text(text, "text", TEXT_MAX)
    if origin not in TopicOrigin.values:
        raise ValidationError({"origin": _("Choose who raises the topic.")})
    if origin != TopicOrigin.RESIDENT and not access.can(
        actor, Action.DELIBERATION_MANAGE, place.path
    ):
        raise PermissionDenied(_("Only community staff may raise a topic for an organisation."))
    origin_name = _text(origin_name, "origin_name", 100, required=origin == TopicOrigin.PARTY_ORG)
    with transaction.atomic():
        topic = Topic.objects.create(
            title=title,
            text=text,
            place=place,
            place_path=place.path,
            community=community_of(place),
            origin=origin,
            origin_name=origin_name,
            raised_by=actor,
        )
        audit.record(
            actor=actor,
            action="deliberation.topic_raise",
            target=topic,
            place_path=place.path,
            post=grant.post,
            changes={"title": title, "origin": origin},
        )
    return topic


def _reach_agenda(topic: Topic) -> None:
    threshold = setting(topic.place, "deliberation.support_threshold")
    if topic.status == TopicStatus.OPEN and topic.support_count >= threshold:
        topic.status = TopicStatus.ON_AGENDA
        topic.threshold = threshold
        topic.on_agenda_at = clock.now()


def support(topic: Topic, *, actor: User) -> Topic:
    """One support per resident. At the profile's threshold the topic goes onto the agenda."""
    access.require(actor, Action.DELIBERATION_JOIN, topic.place_path)
    resident = resident_of(actor)
    if resident is None:
        raise ValidationError(
            _("Only residents in the registry can support a topic. Ask your community office.")
        )
    message = _("You already support this topic; each resident supports it once.")
    try:
        with transaction.atomic():
            locked = Topic.objects.select_for_update().get(pk=topic.pk)
            if locked.status != TopicStatus.OPEN:
                raise ValidationError(_("This topic no longer collects support."))
            if TopicSupport.objects.filter(topic=locked, resident=resident).exists():
                raise ValidationError(message)
            TopicSupport.objects.create(topic=locked, resident=resident, user=actor)
            locked.support_count = F("support_count") + 1
            locked.updated_at = clock.now()
            locked.save(update_fields=["support_count", "updated_at"])
            locked.refresh_from_db(fields=["support_count"])
            _reach_agenda(locked)
            locked.save(update_fields=["status", "threshold", "on_agenda_at"])
            audit.record(
                actor=actor,
                action="deliberation.topic_support",
                target=locked,
                place_path=locked.place_path,
                changes={"support_count": locked.support_count, "status": locked.status},
            )
    except IntegrityError:
        raise ValidationError(message) from None
    return locked


def give_opinion(topic: Topic, text: str, *, actor: User, official: bool = False) -> Opinion:
    """An opinion from anyone in the community; an official reply only from staff."""
    access.require(actor, Action.DELIBERATION_JOIN, topic.place_path)
    grant = None
    if official:
        grant = _manage(actor, topic.place_path)
    text = _text(text, "text", OPINION_MAX)
    finished = (TopicStatus.RESOLVED, TopicStatus.CLOSED, TopicStatus.REJECTED)
    if topic.status in finished and not official:
        raise ValidationError(_("This topic is finished and takes no more opinions."))
    with transaction.atomic():
        opinion = Opinion.objects.create(topic=topic, author=actor, text=text, official=official)
        audit.record(
            actor=actor,
            action="deliberation.official_reply" if official else "deliberation.opinion",
            target=opinion,
            place_path=topic.place_path,
            post=grant.post if grant else None,
            changes={"topic": topic.pk},
        )
    return opinion


def hide_opinion(opinion: Opinion, reason: str, *, actor: User) -> Opinion:
    """Moderation: staff hide an opinion with a reason the author and the others see."""
    grant = _manage(actor, opinion.topic.place_path)
    reason = _reason(reason)
    with transaction.atomic():
        opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if opinion.hidden:
            raise ValidationError(_("This opinion is already hidden."))
        opinion.hidden, opinion.hidden_reason = True, reason
        opinion.hidden_by, opinion.hidden_at = actor, clock.now()
        opinion.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
        audit.record(
            actor=actor,
            action="deliberation.opinion_hide",
            target=opinion,
            place_path=opinion.topic.place_path,
            post=grant.post,
            reason=reason,
            changes={"hidden": [False, True]},
        )
    if opinion.author_id != actor.pk:
        _notify(
            [opinion.author_id],
            "opinion_hidden",
            _in_site_language(
                lambda: _("Your opinion was hidden by a moderator: %(reason)s") % {"reason": reason}
            ),
        )
    return opinion


def set_topic_status(topic: Topic, status: str, reason: str, *, actor: User) -> Topic:
    """Staff finish a topic: resolved, closed or rejected, always with a reason."""
    grant = _manage(actor, topic.place_path)
    if status not in CLOSING:
        raise ValidationError({"status": _("Choose resolved, closed or rejected.")})
    reason = _reason(reason)
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        if topic.status not in CLOSING[status]:
            raise ValidationError(
                _("A topic that is “%(current)s” cannot become “%(new)s”.")
                % {
                    "current": TopicStatus(topic.status).label,
                    "new": TopicStatus(status).label,
                }
            )
        before = topic.status
        topic.status, topic.status_reason, topic.updated_at = status, reason, clock.now()
        topic.save(update_fields=["status", "status_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="deliberation.topic_status",
            target=topic,
            place_path=topic.place_path,
            post=grant.post,
            reason=reason,
            changes={"status": [before, status]},
        )
    return topic
