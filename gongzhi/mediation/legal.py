"""Online legal services (公共法律线上服务, 000 §九, MECHANISMS 000-25): a resident asks the
community's legal adviser (一社区一法律顾问) a question on the phone; the adviser — the login
linked to the community's `LegalAdviser` — or the community's mediation staff (MEDIATION_MANAGE)
answer it; the resident reads the answer.

Who reads a question (an object rule, `may_read`): the asker, the adviser's login and the
community's mediation staff; nobody else (another resident, a grid worker: 404). The text must
not carry an ID-card number (the question is refused with a warning, nothing is saved); the
audit trail records the topic, never the text.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import access, audit, clock, inputs, notifications
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.mediation.models import LegalAdviser, LegalQuestion, LegalTopic
from gongzhi.places.models import Place

ASK = Action.MEDIATION_ASK
MANAGE = Action.MEDIATION_MANAGE
# An 18-digit resident ID (the last may be X) or an old 15-digit one, not inside a longer number.
ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")
ID_WARNING = gettext_lazy(
    "Do not write an ID-card number in the question: it is read by the adviser and kept. "
    "Remove it and send the question again."
)


def has_id_number(text: str) -> bool:
    return bool(ID_NUMBER.search(text.replace(" ", "")))


def home_community(user: User) -> Place | None:
    """The community where `user` asks (the first post carrying MEDIATION_ASK)."""
    for grant in access.grants(user, ASK):
        if grant.path:
            return Place.objects.filter(path=grant.path).first()
    return None


def is_adviser(user: object, question: LegalQuestion) -> bool:
    return (
        isinstance(user, User)
        and question.adviser_id is not None
        and question.adviser is not None
        and question.adviser.user_id == user.pk
    )


def may_answer(user: object, question: LegalQuestion) -> bool:
    if not isinstance(user, User):
        return False
    return is_adviser(user, question) or access.can(user, MANAGE, question.place_path)


def may_read(user: object, question: LegalQuestion) -> bool:
    return isinstance(user, User) and (question.asker_id == user.pk or may_answer(user, question))


def _tell(user_id: int | None, *, verb: str, text: object, link: str) -> None:
    if not user_id:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = str(text)
    notifications.notify([user_id], verb=verb, text=message, link=link)


def ask(*, actor: User, topic: str, text: str) -> LegalQuestion:
    """A resident's question to their community's legal adviser."""
    if topic not in LegalTopic.values:
        raise ValidationError({"topic": _("Choose a topic.")})
    text = inputs.text(text, "text", 2000)
    if has_id_number(text):
        raise ValidationError({"text": str(ID_WARNING)})
    community = home_community(actor)
    if community is None:
        raise PermissionDenied
    with transaction.atomic():
        adviser = LegalAdviser.objects.filter(community=community).first()
        question = LegalQuestion.objects.create(
            community=community,
            asker=actor,
            adviser=adviser,
            topic=topic,
            text=text,
            place_path=community.path,
        )
        audit.record(
            actor=actor,
            action="mediation.question_ask",
            target=question,
            place_path=community.path,
            changes={"topic": topic},
        )
        if adviser is not None and adviser.user_id != actor.pk:
            _tell(
                adviser.user_id,
                verb="legal_question",
                text=gettext_lazy("A resident asked the legal adviser a question online."),
                link=reverse("mediation:question", args=[question.pk]),
            )
    return question


def answer(question: LegalQuestion, *, actor: User, text: str) -> LegalQuestion:
    """The adviser's (or the community's mediation staff's) answer; answered once."""
    text = inputs.text(text, "answer", 4000)
    with transaction.atomic():
        question = (
            LegalQuestion.objects.select_for_update(of=("self",))
            .select_related("adviser")
            .get(pk=question.pk)
        )
        if not may_answer(actor, question):
            if may_read(actor, question):
                raise PermissionDenied
            raise Http404
        if question.answered_at is not None:
            raise ValidationError(_("This question has already been answered."))
        question.answer, question.answered_by, question.answered_at = text, actor, clock.now()
        question.save()
        grant = access.grant_for(actor, MANAGE, question.place_path)
        audit.record(
            actor=actor,
            action="mediation.question_answer",
            target=question,
            place_path=question.place_path,
            post=grant.post if grant else None,
            changes={"topic": question.topic},
        )
        if question.asker_id != actor.pk:
            _tell(
                question.asker_id,
                verb="legal_answer",
                text=gettext_lazy("The legal adviser answered your question."),
                link=reverse("mediation:question", args=[question.pk]),
            )
    return question
