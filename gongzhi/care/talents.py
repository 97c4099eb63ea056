"""Writes of the talent and skills base (达人库 / 技能特长库, seed 002 §三(二)1, §三(三)2;
issue 24 row 002-15); re-exported by `services`.

- `save_talent`: a resident is listed with skills from the vocabulary, their own words, how
  they are willing to help and when — only with their consent (002 §三(三)2 依据用户自主自愿原则;
  PIPL art. 13/14). The resident does it on the phone (`care.notice_read` over their home,
  object rule: their own registry record; the consent is theirs, `self`); staff with
  `care.talent_manage` enter someone who agreed in writing or in person, and say which.
- `withdraw_talent`: the person (or staff on their word) takes the entry back: it leaves every
  search and what was told is cleared; only the row with the withdrawal remains.
- `set_backbone`: staff flag or unflag a backbone person (社区骨干) with a reason.
- `add_skill_term`: a community's staff add a term of their own to the vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.care.giving import community_of
from gongzhi.care.models import ConsentWay, SkillTerm, Talent, Willingness
from gongzhi.core import access, audit, clock, inputs
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind

MANAGE = Action.CARE_TALENT_MANAGE
VIEW = Action.CARE_TALENT_VIEW
READ = Action.CARE_NOTICE_READ
MAX_SKILLS = 8


def _own(resident: Resident, actor: User) -> bool:
    return resident.user_id is not None and resident.user_id == actor.pk


def _terms(skills: Sequence[SkillTerm], community: Place) -> list[SkillTerm]:
    ids = {s.pk for s in skills}
    if len(ids) > MAX_SKILLS:
        raise ValidationError({"skills": _("Choose at most %(n)s skills.") % {"n": MAX_SKILLS}})
    terms = list(SkillTerm.objects.filter(pk__in=ids, is_active=True).order_by("sort", "name"))
    if len(terms) != len(ids) or any(
        t.community_id is not None and t.community_id != community.pk for t in terms
    ):
        raise ValidationError({"skills": _("Choose skills from the list of your community.")})
    return terms


def save_talent(
    resident: Resident,
    *,
    actor: User,
    skills: Sequence[SkillTerm],
    specialty: str = "",
    willingness: str = Willingness.ON_CALL,
    availability: str = "",
    consent: bool = False,
    consent_way: str = "",
) -> Talent:
    """List `resident` (or change their entry). Consent is required each time the entry is
    (re)listed; the person's own entry records it as given on their phone."""
    specialty = inputs.text(specialty, "specialty", 200, required=False)
    availability = inputs.text(availability, "availability", 100, required=False)
    if willingness not in Willingness.values:
        raise ValidationError({"willingness": _("Choose how the person is willing to help.")})
    own = _own(resident, actor)
    if own:
        consent_way = ConsentWay.SELF
    elif consent and consent_way not in (ConsentWay.WRITTEN, ConsentWay.IN_PERSON):
        raise ValidationError({"consent_way": _("Say how the person gave their consent.")})
    with transaction.atomic():
        grant = access.require(
            actor, READ if own else MANAGE, resident.place_path, read_action=VIEW
        )
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        if not resident.is_active:
            raise ValidationError({"resident": _("This person is no longer in the registry.")})
        community = community_of(resident.place_path)
        if community is None:
            raise ValidationError({"resident": _("This person's home is in no community.")})
        terms = _terms(skills, community)
        if not terms and not specialty:
            raise ValidationError({"skills": _("Choose a skill or describe one.")})
        talent = Talent.objects.select_for_update().filter(resident=resident).first()
        relisting = talent is None or talent.withdrawn_at is not None
        if relisting and not consent:
            raise ValidationError(
                {"consent": _("The person must agree to be listed in the talent base.")}
            )
        if consent and not own and consent_way not in (ConsentWay.WRITTEN, ConsentWay.IN_PERSON):
            raise ValidationError({"consent_way": _("Say how the person gave their consent.")})
        now = clock.now()
        created = talent is None
        if talent is None:
            talent = Talent(resident=resident)
        talent.community = community
        talent.place_path = resident.place_path
        talent.specialty = specialty
        talent.willingness = willingness
        talent.availability = availability
        if relisting or consent:
            talent.consent_at = now
            talent.consent_way = consent_way
            talent.self_entered = own
        talent.withdrawn_at = None
        talent.updated_by = actor
        talent.updated_at = now
        try:
            with transaction.atomic():
                talent.save()
        except IntegrityError as error:  # another request listed the person first
            raise ValidationError(
                {"resident": _("This person was just entered by someone else; open it again.")}
            ) from error
        talent.skills.set(terms)
        audit.record(
            actor=actor,
            action="care.talent_save",
            target=talent,
            place_path=talent.place_path,
            post=grant.post,
            changes={
                "skills": [t.name for t in terms],
                "willingness": willingness,
                "consent_way": talent.consent_way,
                "created": created,
                "relisted": relisting and not created,
                "self": own,
            },
        )
    return talent


def withdraw_talent(talent: Talent, *, actor: User, reason: str = "") -> Talent:
    """Take the entry back (the person on their phone, or staff on the person's word, with a
    reason): it leaves every search; skills, words and availability are cleared."""
    reason = inputs.text(reason, "reason", 200, required=False)
    with transaction.atomic():
        talent = Talent.objects.select_for_update().select_related("resident").get(pk=talent.pk)
        own = _own(talent.resident, actor)
        if own:
            grant = access.require(actor, READ, talent.place_path, read_action=VIEW)
        else:
            grant = access.require(actor, MANAGE, talent.place_path, read_action=VIEW)
            if not reason:
                raise ValidationError({"reason": _("Say why the entry is withdrawn.")})
        if talent.withdrawn_at is not None:
            raise ValidationError({"talent": _("This entry is already withdrawn.")})
        talent.withdrawn_at = clock.now()
        talent.specialty = ""
        talent.availability = ""
        talent.backbone = False
        talent.backbone_reason = ""
        talent.backbone_by = None
        talent.updated_by = actor
        talent.updated_at = talent.withdrawn_at
        talent.save()
        talent.skills.clear()
        audit.record(
            actor=actor,
            action="care.talent_withdraw",
            target=talent,
            place_path=talent.place_path,
            post=grant.post,
            changes={"self": own},
            reason=reason,
        )
    return talent


def set_backbone(talent: Talent, *, actor: User, backbone: bool, reason: str) -> Talent:
    """Flag (or unflag) a listed person as a backbone (社区骨干); staff only, with a reason."""
    reason = inputs.text(reason, "reason", 200)
    with transaction.atomic():
        grant = access.require(actor, MANAGE, talent.place_path, read_action=VIEW)
        talent = Talent.objects.select_for_update().get(pk=talent.pk)
        if talent.withdrawn_at is not None:
            raise ValidationError({"talent": _("This entry is withdrawn.")})
        if talent.backbone == bool(backbone):
            raise ValidationError(
                {"backbone": _("Already a backbone.") if backbone else _("Not a backbone.")}
            )
        talent.backbone = bool(backbone)
        talent.backbone_reason = reason if backbone else ""
        talent.backbone_by = actor if backbone else None
        talent.updated_by = actor
        talent.updated_at = clock.now()
        talent.save()
        audit.record(
            actor=actor,
            action="care.talent_backbone",
            target=talent,
            place_path=talent.place_path,
            post=grant.post,
            changes={"backbone": talent.backbone},
            reason=reason,
        )
    return talent


def add_skill_term(*, actor: User, community: Place, name: str) -> SkillTerm:
    """A term of the community's own, beside the platform's vocabulary."""
    name = inputs.text(name, "name", 24)
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    with transaction.atomic():
        grant = access.require(actor, MANAGE, community.path)
        if SkillTerm.objects.filter(community__isnull=True, name=name).exists():
            raise ValidationError({"name": _("This skill is already in the platform's list.")})
        try:
            with transaction.atomic():
                term = SkillTerm.objects.create(community=community, name=name)
        except IntegrityError as error:
            raise ValidationError(
                {"name": _("This community already lists this skill.")}
            ) from error
        audit.record(
            actor=actor,
            action="care.skill_add",
            target=term,
            place_path=community.path,
            post=grant.post,
            changes={"name": name},
        )
    return term
