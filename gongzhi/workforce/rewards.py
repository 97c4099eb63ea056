"""Certificates and their one-off rewards (000 §三), re-exported by `services`.

- `record_certificate`: community staff (workforce.manage) record a certificate with its number,
  date and an optional scan (checked and re-encoded by `core.photos`). A social-work certificate
  (assistant, intermediate, senior) is then proposed for its reward when the community's profile
  sets the level's amount (`awards.certificate_<level>_yuan`): the amount is copied from the
  profile, in fen, with the paragraph. An agency social worker (000 §三: 在……专业社工机构工作满
  2 年) is proposed only after `awards.agency_worker_min_years` since their start date.
- `approve_reward`, `refuse_reward`, `mark_paid`: an officer (workforce.reward: street,
  district) approves, then marks paid. The reward row is locked (select_for_update) and its
  status checked inside the lock, so of two simultaneous approvals one wins and the other is
  refused; a person has at most one reward per level that is not refused (unique constraint),
  so no level is paid twice, whatever the number of records or certificates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs, photos, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.workforce.models import (
    REWARD_KEYS,
    Certificate,
    CertificateLevel,
    CertificateScan,
    Reward,
    RewardStatus,
    Worker,
    WorkerKind,
)

AGENCY_YEARS_KEY = "awards.agency_worker_min_years"


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def reward_terms(worker: Worker, level: str) -> tuple[int | None, str, str]:
    """(amount in fen or None, paragraph, why not) for a certificate of `level` held by
    `worker`, from the community's effective profile."""
    key = REWARD_KEYS.get(level)  # type: ignore[call-overload]
    if key is None:
        return None, "", _("Only social-work certificates are rewarded.")
    profile = profiles.effective_profile(worker.community)
    if profile is None or not profile.ok or not profile.is_set(key):
        return None, "", _("The community's policy document sets no reward for this level.")
    amount = profile.get(key) or 0
    citation = profile.citations.get(key, "")
    if worker.kind == WorkerKind.AGENCY_SOCIAL_WORKER:
        years = profile.get(AGENCY_YEARS_KEY) if profile.is_set(AGENCY_YEARS_KEY) else None
        if years is None:
            return None, "", _("The policy document rewards no agency social workers.")
        if _years_between(worker.started_on, clock.today()) < years:
            return (
                None,
                "",
                _("An agency social worker is rewarded after %(n)s years in the zone.")
                % {"n": int(years)},
            )
    return int(round(amount * 100)), citation, ""


def _propose(certificate: Certificate, actor: User) -> Reward | None:
    worker = certificate.worker
    fen, citation, why = reward_terms(worker, certificate.level)
    if fen is None:
        return None
    if (
        Reward.objects.filter(resident_id=worker.resident_id, level=certificate.level)
        .exclude(status=RewardStatus.REFUSED)
        .exists()
    ):
        return None  # this level has been rewarded (or is awaiting) for this person
    try:
        with transaction.atomic():
            reward = Reward.objects.create(
                certificate=certificate,
                resident_id=worker.resident_id,
                level=certificate.level,
                amount_fen=fen,
                citation=citation[:300],
                place_path=worker.place_path,
            )
    except IntegrityError:
        return None
    audit.record(
        actor=actor,
        action="workforce.reward_propose",
        target=reward,
        target_repr=f"{worker.resident.name} · {certificate.get_level_display()}",
        place_path=worker.place_path,
        changes={"amount_fen": [None, fen], "level": [None, certificate.level]},
    )
    return reward


def record_certificate(
    worker: Worker,
    *,
    actor: User,
    level: str,
    number: str,
    obtained_on: dt.date,
    title: str = "",
    scans: Iterable[IO[bytes] | None] | None = None,
) -> Certificate:
    """A certificate of an active worker; a social-work certificate is proposed for its reward
    (see the module). Nothing is written when anything is refused."""
    if level not in CertificateLevel.values:
        raise ValidationError({"level": _("Choose the certificate.")})
    number = inputs.text(number, "number", 40)
    title = inputs.text(title, "title", 100, required=level == CertificateLevel.OTHER)
    if obtained_on > clock.today():
        raise ValidationError({"obtained_on": _("The date cannot be in the future.")})
    prepared = photos.prepare(scans)
    with photos.files_removed_on_error() as written, transaction.atomic():
        grant = access.require(
            actor, Action.WORKFORCE_MANAGE, worker.place_path, read_action=Action.WORKFORCE_VIEW
        )
        worker = (
            Worker.objects.select_for_update()
            .select_related("resident", "community")
            .get(pk=worker.pk)
        )
        if not worker.is_active:
            raise ValidationError(_("This worker has left; the record is closed."))
        if Certificate.objects.filter(worker=worker, level=level, number=number).exists():
            raise ValidationError({"number": _("This certificate is already recorded.")})
        certificate = Certificate.objects.create(
            worker=worker,
            level=level,
            title=title,
            number=number,
            obtained_on=obtained_on,
            recorded_by=actor,
            place_path=worker.place_path,
        )
        photos.write(
            CertificateScan, prepared, user=actor, written=written, certificate=certificate
        )
        audit.record(
            actor=actor,
            action="workforce.certificate_add",
            target=certificate,
            target_repr=f"{worker.resident.name} · {certificate.get_level_display()}",
            place_path=worker.place_path,
            post=grant.post,
            changes={
                "level": [None, level],
                "obtained_on": [None, obtained_on.isoformat()],
                "scans": [None, len(prepared)],
            },
        )
        _propose(certificate, actor)
    return certificate


def _decide(reward: Reward, actor: User) -> tuple[Reward, access.Grant]:
    grant = access.require(
        actor, Action.WORKFORCE_REWARD, reward.place_path, read_action=Action.WORKFORCE_VIEW
    )
    locked = Reward.objects.select_for_update().get(pk=reward.pk)
    return locked, grant


@transaction.atomic
def approve_reward(reward: Reward, *, actor: User) -> Reward:
    reward, grant = _decide(reward, actor)
    if reward.status != RewardStatus.AWAITING:
        raise ValidationError(
            _("This reward is not awaiting approval: %(s)s.") % {"s": reward.get_status_display()}
        )
    reward.status = RewardStatus.APPROVED
    reward.approved_by = actor
    reward.approved_at = clock.now()
    reward.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        actor=actor,
        action="workforce.reward_approve",
        target=reward,
        place_path=reward.place_path,
        post=grant.post,
        changes={"status": [RewardStatus.AWAITING, RewardStatus.APPROVED]},
    )
    return reward


@transaction.atomic
def refuse_reward(reward: Reward, *, actor: User, note: str) -> Reward:
    reward, grant = _decide(reward, actor)
    note = inputs.text(note, "note", 200)
    if reward.status != RewardStatus.AWAITING:
        raise ValidationError(
            _("This reward is not awaiting approval: %(s)s.") % {"s": reward.get_status_display()}
        )
    reward.status = RewardStatus.REFUSED
    reward.note = note
    reward.save(update_fields=["status", "note"])
    audit.record(
        actor=actor,
        action="workforce.reward_refuse",
        target=reward,
        place_path=reward.place_path,
        post=grant.post,
        changes={"status": [RewardStatus.AWAITING, RewardStatus.REFUSED]},
        reason=note,
    )
    return reward


@transaction.atomic
def mark_paid(reward: Reward, *, actor: User) -> Reward:
    reward, grant = _decide(reward, actor)
    if reward.status != RewardStatus.APPROVED:
        raise ValidationError(_("Only an approved reward that is not yet paid can be marked paid."))
    reward.status = RewardStatus.PAID
    reward.paid_by = actor
    reward.paid_at = clock.now()
    reward.save(update_fields=["status", "paid_by", "paid_at"])
    audit.record(
        actor=actor,
        action="workforce.reward_pay",
        target=reward,
        place_path=reward.place_path,
        post=grant.post,
        changes={"status": [RewardStatus.APPROVED, RewardStatus.PAID]},
    )
    return reward
