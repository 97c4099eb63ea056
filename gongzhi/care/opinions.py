"""Opinions through WeChat and DingTalk (意见征集, seed 002 §三(二)1: 利用钉钉、微信等途径，征集民意、
民情; issue 24 row 002-15); re-exported by `services`.

- `save_channel`: a community's WeChat official-account or DingTalk-robot channel; its WeChat
  token or DingTalk AppSecret is stored only encrypted (`core.crypto`), never logged or audited.
  Leaving the WeChat token empty generates one, returned once for the staff to copy into the
  platform's console.
- `wechat_signature_ok` / `dingtalk_signature_ok`: the platforms' own request signatures
  (WeChat: SHA-1 of the sorted token, timestamp and nonce; DingTalk outgoing robot:
  base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)), the timestamp within an hour).
- `receive`: one inbound text message → an opinion in the community's inbox, once per platform
  message id (a retried delivery is stored once); a message "绑定 123456" carrying a live
  binding code binds the sender's platform id to the resident instead. The sender's id is kept
  only as a keyed hash.
- `make_ticket` / `mark_handled`: the community's staff turn an opinion into a ticket
  (tickets.services.submit) or close it with a note.
- `new_bind_code` / `unbind`: the resident's one-time code (phone page), and removing a binding.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import string
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.care.models import (
    BindCode,
    Opinion,
    OpinionChannel,
    OpinionStatus,
    Platform,
    PlatformBinding,
)
from gongzhi.core import access, audit, clock, crypto, inputs
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, Channel, Ticket
from gongzhi.tickets.routing import is_ticket_place

logger = logging.getLogger(__name__)
HANDLE = Action.CARE_OPINION_HANDLE
CHANNELS = Action.CARE_CHANNEL_MANAGE
READ = Action.CARE_NOTICE_READ
TEXT_MAX = 2000
# The platforms' own limits, not policy numbers: a DingTalk request older than an hour is
# refused (DingTalk's documentation); a binding code lives ten minutes.
MAX_AGE = dt.timedelta(hours=1)
CODE_LIFETIME = dt.timedelta(minutes=10)
BIND = re.compile(r"^\s*绑定\s*(\d{6})\s*$")
_TOKEN_CHARS = string.ascii_letters + string.digits


def sender_hash(platform: str, sender_id: str) -> str:
    """The keyed hash of a platform id (hex-encoded first: ids are case-sensitive, and the
    blind index folds case)."""
    return crypto.blind_index(f"{platform}-sender", sender_id.encode().hex())


def _code_hash(code: str) -> str:
    return crypto.blind_index("care-bind-code", code)


# --------------------------------------------------------------------------- channels


def save_channel(
    *,
    actor: User,
    community: Place,
    platform: str,
    secret: str = "",
    is_active: bool = True,
) -> tuple[OpinionChannel, str]:
    """Create or change a community's channel. Returns the channel and, when a WeChat token was
    generated, that token (shown once); otherwise "". An empty secret keeps the stored one."""
    if platform not in Platform.values:
        raise ValidationError({"platform": _("Choose WeChat or DingTalk.")})
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    secret = (secret or "").strip()
    if platform == Platform.WECHAT and secret and not re.fullmatch(r"[A-Za-z0-9]{3,32}", secret):
        raise ValidationError(
            {"secret": _("A WeChat token is 3 to 32 letters or digits (as the console asks).")}
        )
    if platform == Platform.DINGTALK and secret and not 16 <= len(secret) <= 128:
        raise ValidationError({"secret": _("Paste the robot's AppSecret from DingTalk.")})
    with transaction.atomic():
        grant = access.require(actor, CHANNELS, community.path)
        channel = (
            OpinionChannel.objects.select_for_update()
            .filter(community=community, platform=platform)
            .first()
        )
        generated = ""
        if not secret and channel is None:
            if platform == Platform.DINGTALK:
                raise ValidationError({"secret": _("Paste the robot's AppSecret from DingTalk.")})
            secret = generated = "".join(secrets.choice(_TOKEN_CHARS) for _n in range(32))
        created = channel is None
        if channel is None:
            channel = OpinionChannel(
                community=community, platform=platform, key=secrets.token_hex(16)
            )
        channel.place_path = community.path
        if secret:
            channel.secret_encrypted = crypto.encrypt(secret)
            channel.secret_tail = secret[-4:]
        channel.is_active = bool(is_active)
        channel.updated_by = actor
        channel.updated_at = clock.now()
        try:
            with transaction.atomic():
                channel.save()
        except IntegrityError as error:
            raise ValidationError(
                {"platform": _("This channel was just set up by someone else; open it again.")}
            ) from error
        audit.record(
            actor=actor,
            action="care.channel_save",
            target=channel,
            place_path=channel.place_path,
            post=grant.post,
            # Never the secret: only that it changed.
            changes={
                "platform": platform,
                "receiving": channel.is_active,
                "secret_changed": bool(secret),
                "created": created,
            },
        )
    return channel, generated


def _secret(channel: OpinionChannel) -> str | None:
    """The channel's secret, or None when it cannot be opened (a key gone from the key
    setting): the request is then refused like a wrong signature, never a 500."""
    try:
        return crypto.decrypt(channel.secret_encrypted)
    except Exception:  # noqa: BLE001 - any failure to open is a refusal; nothing of it logged
        logger.warning("care: the secret of opinion channel %s cannot be opened", channel.pk)
        return None


def wechat_signature_ok(
    channel: OpinionChannel, signature: str, timestamp: str, nonce: str
) -> bool:
    """WeChat's server check: SHA-1 of token, timestamp and nonce sorted and joined."""
    if not (signature and timestamp and nonce):
        return False
    secret = _secret(channel)
    if secret is None:
        return False
    joined = "".join(sorted([secret, timestamp, nonce]))
    expected = hashlib.sha1(joined.encode(), usedforsecurity=False).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


def dingtalk_signature_ok(channel: OpinionChannel, timestamp: str, sign: str) -> bool:
    """DingTalk's outgoing robot: `sign` = base64(HMAC-SHA256(secret, timestamp + "\\n" +
    secret)); the timestamp (milliseconds) within an hour of now either way."""
    if not (timestamp and sign) or not timestamp.isdigit() or len(timestamp) > 16:
        return False
    sent = dt.datetime.fromtimestamp(int(timestamp) / 1000, tz=dt.UTC)
    if abs(clock.now() - sent) > MAX_AGE:
        return False
    secret = _secret(channel)
    if secret is None:
        return False
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), sign)


def wechat_timestamp_fresh(timestamp: str) -> bool:
    """A WeChat request's timestamp (seconds) within an hour: an old signed request replayed
    is refused like a wrong signature (the message id makes a retry harmless anyway)."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    return abs(clock.now() - sent) <= MAX_AGE


# --------------------------------------------------------------------------- inbound


@dataclass(frozen=True)
class Received:
    reply: str
    opinion: Opinion | None  # None when the message bound an account
    created: bool


def _bind(channel: OpinionChannel, sender: str, code: str) -> str:
    now = clock.now()
    bind = (
        BindCode.objects.select_for_update()
        .filter(code_index=_code_hash(code), used_at__isnull=True, expires_at__gt=now)
        .select_related("resident")
        .first()
    )
    if bind is None or not bind.resident.is_active:
        return _("This code is not valid or has expired. Open your phone page for a new one.")
    if not bind.resident.place_path.startswith(channel.place_path):
        return _("This code belongs to another community's account.")
    bind.used_at = now
    bind.save(update_fields=["used_at"])
    binding, _created = PlatformBinding.objects.update_or_create(
        platform=channel.platform,
        sender_index=sender,
        defaults={"resident": bind.resident, "bound_at": now},
    )
    audit.record(
        actor=None,
        action="care.platform_bind",
        target=binding,
        place_path=bind.resident.place_path,
        changes={"platform": channel.platform},
    )
    return _("Your account is now linked to your resident record.")


def receive(channel: OpinionChannel, *, message_id: str, sender_id: str, text: str) -> Received:
    """Store one inbound text message (or bind the sender). A message id seen before on this
    channel is not stored again; the same reply is given."""
    message_id = (message_id or "").strip()[:64]
    sender_id = (sender_id or "").strip()
    text = (text or "").strip()
    if not message_id or not sender_id or len(sender_id) > 128:
        raise ValidationError({"message": _("The message lacks its id or sender.")})
    if not text:
        raise ValidationError({"text": _("The message has no text.")})
    thanks = _("Received: your community will look into it soon. Thank you!")
    sender = sender_hash(channel.platform, sender_id)
    with transaction.atomic():
        seen = Opinion.objects.filter(channel=channel, message_id=message_id).first()
        if seen is not None:
            return Received(thanks, seen, False)
        match = BIND.match(text)
        if match:
            return Received(_bind(channel, sender, match.group(1)), None, False)
        binding = (
            PlatformBinding.objects.filter(platform=channel.platform, sender_index=sender)
            .select_related("resident")
            .first()
        )
        person = binding.resident if binding and binding.resident.is_active else None
        try:
            with transaction.atomic():
                opinion = Opinion.objects.create(
                    channel=channel,
                    community_id=channel.community_id,
                    place_path=channel.place_path,
                    platform=channel.platform,
                    message_id=message_id,
                    sender_index=sender,
                    resident=person,
                    text=text[:TEXT_MAX],
                    received_at=clock.now(),
                )
        except IntegrityError:  # the same message delivered twice at once: stored once
            existing = Opinion.objects.get(channel=channel, message_id=message_id)
            return Received(thanks, existing, False)
    return Received(thanks, opinion, True)


# --------------------------------------------------------------------------- the inbox


def _locked(opinion: Opinion, actor: User) -> tuple[Opinion, access.Grant]:
    grant = access.require(actor, HANDLE, opinion.place_path, read_action=HANDLE)
    locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
    if locked.status != OpinionStatus.NEW:
        raise ValidationError({"status": _("This opinion is already dealt with.")})
    return locked, grant


def make_ticket(
    opinion: Opinion, *, actor: User, category: Category, kind: str, place: Place
) -> Ticket:
    """Turn an opinion into a ticket through the tickets app's own service (routing,
    deadlines, audit), about a building or grid of the opinion's community; once."""
    if not place.path.startswith(opinion.place_path) or not is_ticket_place(place):
        raise ValidationError({"place": _("Choose a building or grid of this community.")})
    with transaction.atomic():
        opinion, grant = _locked(opinion, actor)
        ticket = tickets.submit(
            actor=actor,
            kind=kind,
            category=category,
            text=_("From %(platform)s: %(text)s")
            % {"platform": opinion.get_platform_display(), "text": opinion.text},
            place=place,
            channel=Channel.ONLINE,
        )
        opinion.status = OpinionStatus.TICKET
        opinion.ticket = ticket
        opinion.handled_by = actor
        opinion.handled_at = clock.now()
        opinion.save(update_fields=["status", "ticket", "handled_by", "handled_at"])
        audit.record(
            actor=actor,
            action="care.opinion_ticket",
            target=opinion,
            place_path=opinion.place_path,
            post=grant.post,
            changes={"ticket": ticket.pk},
        )
    return ticket


def mark_handled(opinion: Opinion, *, actor: User, note: str) -> Opinion:
    note = inputs.text(note, "note", 200)
    with transaction.atomic():
        opinion, grant = _locked(opinion, actor)
        opinion.status = OpinionStatus.HANDLED
        opinion.note = note
        opinion.handled_by = actor
        opinion.handled_at = clock.now()
        opinion.save(update_fields=["status", "note", "handled_by", "handled_at"])
        audit.record(
            actor=actor,
            action="care.opinion_handled",
            target=opinion,
            place_path=opinion.place_path,
            post=grant.post,
            changes={"status": opinion.status},
        )
    return opinion


# --------------------------------------------------------------------------- binding


def new_bind_code(*, actor: User) -> tuple[str, dt.datetime]:
    """A fresh one-time code for the resident behind `actor` (earlier unused codes die)."""
    resident = resident_of(actor)
    if resident is None:
        raise Http404
    with transaction.atomic():
        access.require(actor, READ, resident.place_path, read_action=READ)
        BindCode.objects.filter(resident=resident, used_at__isnull=True).delete()
        expires = clock.now() + CODE_LIFETIME
        for _attempt in range(5):
            code = f"{secrets.randbelow(1_000_000):06d}"
            try:
                with transaction.atomic():
                    BindCode.objects.create(
                        resident=resident, code_index=_code_hash(code), expires_at=expires
                    )
            except IntegrityError:  # a live code of someone else: draw again
                continue
            return code, expires
    raise ValidationError(_("Please try again."))


def unbind(binding: PlatformBinding, *, actor: User) -> None:
    """The resident removes one of their bindings; later messages from it carry no person."""
    resident: Resident | None = resident_of(actor)
    if resident is None or binding.resident_id != resident.pk:
        raise PermissionDenied
    with transaction.atomic():
        access.require(actor, READ, resident.place_path, read_action=READ)
        audit.record(
            actor=actor,
            action="care.platform_unbind",
            target=binding,
            place_path=resident.place_path,
            changes={"platform": binding.platform},
        )
        binding.delete()
